package imagecheck

import "fmt"

// newCheck is a check with the problems found; it passed when there are none.
func newCheck(name string, problems ...Problem) Check {
	if problems == nil {
		problems = []Problem{}
	}
	return Check{Name: name, Passed: len(problems) == 0, Problems: problems}
}

func problem(code, format string, args ...any) Problem {
	return Problem{Code: code, Message: fmt.Sprintf(format, args...)}
}

var notChecked = problem(ProblemNotChecked, "not checked: the picture could not be read")

func formatCheck(p picture, declared string) Check {
	switch {
	case p.kind == "":
		return newCheck(CheckFormat, problem(ProblemNotAnImage, "the file is not a picture"))
	case p.kind != JPEG && p.kind != PNG:
		return newCheck(CheckFormat, problem(ProblemUnsupportedFormat,
			"the picture is a %s; only JPEG and PNG are accepted", p.kind))
	case !p.readable():
		return newCheck(CheckFormat, problem(ProblemNotAnImage,
			"the %s file is damaged or incomplete", p.kind))
	case p.kind != declared:
		return newCheck(CheckFormat, problem(ProblemFormatMismatch,
			"the picture is a %s but was sent as %s", p.kind, declared))
	}
	return newCheck(CheckFormat)
}

func sizeCheck(n int, r Rules) Check {
	switch {
	case n < r.MinBytes:
		return newCheck(CheckFileSize, problem(ProblemTooSmallFile,
			"the file is %s, at least %s needed", size(n), size(r.MinBytes)))
	case n > r.MaxBytes:
		return newCheck(CheckFileSize, problem(ProblemTooLargeFile,
			"the file is %s, at most %s allowed", size(n), size(r.MaxBytes)))
	}
	return newCheck(CheckFileSize)
}

// size writes a byte count the way people read it: 12 KiB, 4 MiB, 5.37 MiB.
func size(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KiB", n>>10)
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
}

func resolutionCheck(p picture, r Rules) Check {
	if !p.header {
		return newCheck(CheckResolution, notChecked)
	}
	w, h := p.width, p.height
	var problems []Problem
	if !(w >= r.MinWidth && h >= r.MinHeight) && !(w >= r.MinHeight && h >= r.MinWidth) {
		problems = append(problems, problem(ProblemLowResolution,
			"the picture is %dx%d pixels, at least %dx%d needed", w, h, r.MinWidth, r.MinHeight))
	}
	if p.tooManyPixels {
		problems = append(problems, problem(ProblemTooManyPixels,
			"the picture is %dx%d pixels, more than %d megapixels are refused", w, h, maxPixels(r)/1_000_000))
	}
	return newCheck(CheckResolution, problems...)
}

func sharpnessCheck(rep Report, r Rules) Check {
	switch {
	case !rep.Decoded:
		return newCheck(CheckSharpness, notChecked)
	case rep.Sharpness < r.MinSharpness:
		return newCheck(CheckSharpness, problem(ProblemBlurry,
			"the picture is blurry (sharpness %.0f, at least %.0f needed)", rep.Sharpness, r.MinSharpness))
	}
	return newCheck(CheckSharpness)
}

func exposureCheck(rep Report, r Rules) Check {
	if !rep.Decoded {
		return newCheck(CheckExposure, notChecked)
	}
	var problems []Problem
	switch {
	case rep.Brightness < r.MinBrightness:
		problems = append(problems, problem(ProblemTooDark,
			"the picture is too dark (brightness %.0f, at least %.0f needed)", rep.Brightness, r.MinBrightness))
	case rep.Brightness > r.MaxBrightness:
		problems = append(problems, problem(ProblemOverexposed,
			"the picture is too bright (brightness %.0f, at most %.0f allowed)", rep.Brightness, r.MaxBrightness))
	}
	if rep.Glare > r.MaxGlare {
		problems = append(problems, problem(ProblemGlare,
			"the picture has glare (%.0f%% washed out, at most %.0f%% allowed)", 100*rep.Glare, 100*r.MaxGlare))
	}
	return newCheck(CheckExposure, problems...)
}
