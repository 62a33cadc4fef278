package onboarding

// The closed value sets the package checks payload members against, for
// the OpenRPC document's enums. Each returns a copy of the very list the
// check uses, so that the document cannot drift from it.

// PictureSides are the identity card sides UploadIDCard takes.
func PictureSides() []string { return []string{PictureFront, PictureBack} }

// FatcaForms are the FATCA forms SubmitFatcaDeclaration takes.
func FatcaForms() []string { return []string{FormW9, FormW8BEN} }
