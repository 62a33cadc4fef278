package services

import "context"

// OpenPictureForTest reads one picture of a package and opens its data, as
// a reader of pictures would.
func (s *Service) OpenPictureForTest(ctx context.Context, onboardingID, kind string, attempt int) ([]byte, error) {
	img, err := s.store.OnboardingPicture(ctx, onboardingID, kind, attempt)
	if err != nil {
		return nil, err
	}
	return s.vault.open(img.Data, pictureAD(onboardingID, kind, img.SHA256))
}

// OpenApplicantForTest reads a package and opens its applicant data and
// FATCA declaration.
func (s *Service) OpenApplicantForTest(ctx context.Context, partnerID int64, id string) (applicant, declaration []byte, err error) {
	o, err := s.store.FindOnboarding(ctx, partnerID, id)
	if err != nil {
		return nil, nil, err
	}
	if applicant, err = s.vault.open(o.Applicant, applicantAD(id)); err != nil {
		return nil, nil, err
	}
	declaration, err = s.vault.open(o.FatcaDeclaration, declarationAD(id))
	return applicant, declaration, err
}
