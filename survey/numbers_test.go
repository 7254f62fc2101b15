package survey

import (
	"strings"
	"testing"
)

func TestParseNumber(t *testing.T) {
	ok := []struct {
		in    string
		whole bool
		want  float64
	}{
		{"180000", true, 180000},
		{"180.000", true, 180000},
		{"1.234.567", true, 1234567},
		{"180 000", true, 180000},
		{"180\u00a0000", true, 180000},
		{" 42 ", true, 42},
		{"-3", true, -3},
		{"0", true, 0},
		{"1.234,5", false, 1234.5},
		{"1234,5", false, 1234.5},
		{"2,5", false, 2.5},
		{"2.5", false, 2.5},
		{"0.75", false, 0.75},
		{"12.3456", false, 12.3456},
		{"0.125", false, 0.125},
		{"1.234.567,25", false, 1234567.25},
		{"7", false, 7},
		{"+1,5", false, 1.5},
	}
	for _, c := range ok {
		got, why := ParseNumber(c.in, c.whole)
		if why != nil || got != c.want {
			t.Errorf("ParseNumber(%q, %v) = %v, %v; want %v", c.in, c.whole, got, why, c.want)
		}
	}
	bad := []struct {
		in    string
		whole bool
		says  string // a word the Italian reason contains
	}{
		{"1.23.4", true, "gruppi di tre"},
		{"1.23.4", false, "gruppi di tre"},
		{"12.34,5", false, "gruppi di tre"},
		{"1234.567", true, "gruppi di tre"},
		{"1.5", true, "gruppi di tre"},
		{"1.234", false, "due modi"},
		{"180.000", false, "due modi"},
		{"1,234.5", false, "la virgola separa i decimali"},
		{"1,2,3", false, "una sola virgola"},
		{"2,5", true, "intero"},
		{"180,000", true, "intero"},
		{"abc", true, "serve un numero"},
		{"", false, "serve un numero"},
		{"-", false, "serve un numero"},
		{"1e5", false, "serve un numero"},
		{",5", false, "serve un numero"},
		{"5,", false, "serve un numero"},
		{"9999999999999999999", true, "troppo grande"},
	}
	for _, c := range bad {
		got, why := ParseNumber(c.in, c.whole)
		if why == nil {
			t.Errorf("ParseNumber(%q, %v) = %v, want a refusal", c.in, c.whole, got)
			continue
		}
		if !strings.Contains(why.IT, c.says) || why.EN == "" {
			t.Errorf("ParseNumber(%q, %v) says %+v, want Italian with %q and English", c.in, c.whole, why, c.says)
		}
	}
	// The ambiguous reading names both ways out, with the digits typed.
	if _, why := ParseNumber("1.234", false); !strings.Contains(why.IT, "1234") || !strings.Contains(why.IT, "1,234") {
		t.Errorf("ambiguity message %q, want both readings", why.IT)
	}
}

// TestNormalizeReadsItalianNumbers: an answer given as text (an import, a
// JSON file) is read as the form reads it.
func TestNormalizeReadsItalianNumbers(t *testing.T) {
	in := &Instrument{}
	whole, dec := &Question{ID: "N", Type: TypeInteger}, &Question{ID: "D", Type: TypeDecimal}
	if v, why := in.normalizeValue(whole, "180.000"); why != nil || v != 180000 {
		t.Errorf("integer 180.000: %v %v, want 180000", v, why)
	}
	if v, why := in.normalizeValue(dec, "1.234,5"); why != nil || v != 1234.5 {
		t.Errorf("decimal 1.234,5: %v %v, want 1234.5", v, why)
	}
	if _, why := in.normalizeValue(whole, "1.23.4"); why == nil {
		t.Error("integer 1.23.4 accepted")
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"180.000", "1.234,5", "2.5", "1.23.4", "-0,0", "1 000 000", "+", ",", "."} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, whole bool) {
		v, why := ParseNumber(s, whole)
		if why != nil {
			if why.IT == "" || why.EN == "" {
				t.Fatalf("refusal of %q without both languages: %+v", s, why)
			}
			return
		}
		if whole && v != float64(int64(v)) {
			t.Fatalf("ParseNumber(%q, whole) = %v, not whole", s, v)
		}
		// What is accepted reads back the same once the grouping (points, spaces) is gone.
		if again, why := ParseNumber(strings.NewReplacer(".", "", " ", "", "\u00a0", "", "\u202f", "").Replace(s), whole); whole && (why != nil || again != v) {
			t.Fatalf("ParseNumber(%q) = %v, without points %v %v", s, v, again, why)
		}
	})
}
