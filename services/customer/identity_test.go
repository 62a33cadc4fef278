package customer

import "testing"

func TestParseCCCD(t *testing.T) {
	tests := []struct {
		in      string
		want    CCCD
		problem bool
	}{
		{"087084000999", CCCD{Province: "087", BirthYear: 1984}, false}, // DOMAIN.md's example: Dong Thap, male, 1984
		{"001305123456", CCCD{Province: "001", Female: true, BirthYear: 2005}, false},
		{"079290000001", CCCD{Province: "079", BirthYear: 2090}, false},
		{"003084000999", CCCD{}, true}, // no province 003
		{"08708400099", CCCD{}, true},  // 11 digits
		{"08708400099A", CCCD{}, true}, // a letter
	}
	for _, tt := range tests {
		got, problem := ParseCCCD(tt.in)
		if got != tt.want || (problem != "") != tt.problem {
			t.Errorf("ParseCCCD(%s) = %+v, %q; want %+v, problem %v", tt.in, got, problem, tt.want, tt.problem)
		}
	}
}

func TestSSN(t *testing.T) {
	for s, ok := range map[string]bool{"123456789": true, "000123456": false, "666123456": false, "900123456": false, "123006789": false, "123450000": false, "12345678": false} {
		if got := ssnProblem(s) == ""; got != ok {
			t.Errorf("ssnProblem(%s) ok = %v, want %v", s, got, ok)
		}
	}
}
