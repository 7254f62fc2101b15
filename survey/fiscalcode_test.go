package survey

import (
	"strings"
	"testing"
	"time"
)

var cfNow = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

func TestDecodeFiscalCode(t *testing.T) {
	_, ref := load(t)
	tests := []struct {
		name, code                          string
		valid                               bool
		date, sex, place, placeName, normal string
		omocode                             bool
		reason                              string // a part of the reason when invalid
	}{
		{name: "valid male", code: "RSSMRA85T10A562S", valid: true, date: "1985-12-10", sex: "M", place: "A562", placeName: "SAN GIULIANO TERME", normal: "RSSMRA85T10A562S"},
		{name: "lowercase and spaces", code: "  rssmra85t10a562s ", valid: true, date: "1985-12-10", sex: "M", place: "A562", normal: "RSSMRA85T10A562S"},
		{name: "valid female child", code: "BNCLRA10A41H501K", valid: true, date: "2010-01-01", sex: "F", place: "H501", placeName: "ROMA", normal: "BNCLRA10A41H501K"},
		{name: "omocode one letter", code: "RSSMRA85T10A56NH", valid: true, omocode: true, date: "1985-12-10", sex: "M", place: "A562", normal: "RSSMRA85T10A562S"},
		{name: "omocode all seven", code: "RSSMRAURTMLARSNL", valid: true, omocode: true, date: "1985-12-10", sex: "M", place: "A562", normal: "RSSMRA85T10A562S"},
		{name: "ceased municipality valid then", code: "VRDGPP40A01D620L", valid: true, date: "1940-01-01", place: "D620", placeName: "FIUME", sex: "M"},
		{name: "ceased municipality after it ceased", code: "VRDGPP80A01D620V", reason: "non esisteva"},
		{name: "foreign state", code: "SMTJHN12C15Z404L", valid: true, date: "2012-03-15", sex: "M", place: "Z404", placeName: "Stati Uniti D'America"},
		{name: "foreign state that existed", code: "SMTJHN90C15Z105Z", valid: true, date: "1990-03-15", place: "Z105", placeName: "Cecoslovacchia"},
		{name: "foreign state deleted before birth", code: "SMTJHN95C15Z105E", reason: "Cecoslovacchia"},
		{name: "the century in which the place existed", code: "SMTJHN12C15Z105G", valid: true, date: "1912-03-15", place: "Z105"},
		{name: "29 February 2000", code: "BNCLRA00B69F205K", valid: true, date: "2000-02-29", sex: "F", place: "F205", placeName: "MILANO"},
		{name: "29 February 2001", code: "BNCLRA01B69F205L", reason: "inesistente"},
		{name: "empty", code: "", reason: "vuoto"},
		{name: "short", code: "RSSMRA85T10A562", reason: "lunghezza 15"},
		{name: "inner spaces", code: "RSS MRA 85T10 A562S", valid: true, date: "1985-12-10", sex: "M", place: "A562", normal: "RSSMRA85T10A562S"},
		{name: "dashes", code: "RSS-MRA-85T10-A562S", valid: true, date: "1985-12-10", sex: "M", place: "A562", normal: "RSSMRA85T10A562S"},
		{name: "temporary numeric code", code: "80078750587", valid: true, normal: "80078750587"},
		{name: "temporary code with spaces", code: "800 787 505 87", valid: true, normal: "80078750587"},
		{name: "temporary code, wrong check digit", code: "80078750588", reason: "cifra di controllo"},
		{name: "twelve digits", code: "800787505870", reason: "lunghezza 12"},
		{name: "wrong check character", code: "RSSMRA85T10A562T", reason: "controllo"},
		{name: "letter where a digit goes", code: "RSSMRA8AT10A562S", reason: "posizione 8"},
		{name: "digit where a letter goes", code: "RS1MRA85T10A562S", reason: "posizione 3"},
		{name: "bad month letter", code: withCheck("RSSMRA85F10A562"), reason: "mese"},
		{name: "bad day", code: withCheck("RSSMRA85T35A562"), reason: "giorno"},
		{name: "unknown place", code: withCheck("RSSMRA85T10Z999"), reason: "sconosciuto"},
		{name: "unknown municipality", code: withCheck("RSSMRA85T10A000"), reason: "sconosciuto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := DecodeFiscalCodeAt(tt.code, ref, cfNow)
			if fc.Valid != tt.valid {
				t.Fatalf("%s: valid = %v (reason %q), want %v", tt.code, fc.Valid, fc.Reason, tt.valid)
			}
			if !tt.valid {
				// Each language its own half: nothing joined with " / ".
				if !strings.Contains(fc.Reason.IT, tt.reason) || fc.Reason.EN == "" || fc.Reason.EN == fc.Reason.IT ||
					strings.Contains(fc.Reason.IT, " / ") || strings.Contains(fc.Reason.EN, " / ") {
					t.Errorf("%s: reason %+v, want it to mention %q in Italian, and an English half of its own", tt.code, fc.Reason, tt.reason)
				}
				return
			}
			if fc.Reason != (Text{}) {
				t.Errorf("reason %+v for a valid code", fc.Reason)
			}
			check := func(what, got, want string) {
				if want != "" && got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("birth_date", fc.BirthDate, tt.date)
			check("sex", fc.Sex, tt.sex)
			check("birthplace", fc.Birthplace, tt.place)
			check("birthplace_name", fc.BirthplaceName, tt.placeName)
			check("normalized", fc.Normalized, tt.normal)
			if fc.Omocode != tt.omocode {
				t.Errorf("omocode = %v, want %v", fc.Omocode, tt.omocode)
			}
		})
	}
}

// withCheck completes 15 characters with their check character.
func withCheck(s string) string { return s + string(checkChar(s)) }

// omocodeVariant applies omocodia to the positions chosen by the bits of mask.
func omocodeVariant(code string, mask int) string {
	b := []byte(code[:15])
	for i, p := range omocodePositions {
		if mask&(1<<i) != 0 {
			b[p] = omocodeLetters[b[p]-'0']
		}
	}
	return withCheck(string(b))
}

func TestAllOmocodeVariants(t *testing.T) {
	_, ref := load(t)
	base := "BNCLRA10A41H501K"
	seen := map[string]bool{}
	for mask := 0; mask < 128; mask++ {
		v := omocodeVariant(base, mask)
		seen[v] = true
		fc := DecodeFiscalCodeAt(v, ref, cfNow)
		if !fc.Valid || fc.Normalized != base || fc.Omocode != (mask != 0) || fc.BirthDate != "2010-01-01" || fc.Sex != "F" || fc.Birthplace != "H501" {
			t.Fatalf("variant %d %s: %+v", mask, v, fc)
		}
	}
	if len(seen) != 128 {
		t.Fatalf("%d distinct variants, want 128", len(seen))
	}
}

func TestDecodeWithoutReference(t *testing.T) {
	fc := DecodeFiscalCodeAt("VRDGPP80A01D620V", nil, cfNow)
	if !fc.Valid || fc.BirthplaceName != "" || fc.Birthplace != "D620" {
		t.Fatalf("without reference data the place is not checked: %+v", fc)
	}
}

func TestPseudonym(t *testing.T) {
	secret := []byte("project secret of sixteen+ bytes")
	a, err := Pseudonym("BNCLRA10A41H501K", secret)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != PseudonymLength || strings.Trim(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Fatalf("pseudonym %q: want %d base32 characters", a, PseudonymLength)
	}
	for _, variant := range []string{"bnclra10a41h501k", omocodeVariant("BNCLRA10A41H501K", 5), omocodeVariant("BNCLRA10A41H501K", 127)} {
		if b, _ := Pseudonym(variant, secret); b != a {
			t.Errorf("pseudonym of %s = %s, want %s (same child)", variant, b, a)
		}
	}
	if b, _ := Pseudonym("BNCLRA10A41H501K", []byte("another project secret here")); b == a {
		t.Error("another secret gave the same pseudonym")
	}
	if b, _ := Pseudonym("RSSMRA85T10A562S", secret); b == a {
		t.Error("two children, one pseudonym")
	}
	if _, err := Pseudonym("BNCLRA10A41H501K", []byte("short")); err == nil {
		t.Error("a short secret was accepted")
	}
	if _, err := Pseudonym("BNCLRA10A41H501X", secret); err == nil {
		t.Error("an invalid code was accepted")
	}
	// A temporary numeric code gives a stable pseudonym, however it is written.
	tmp, err := Pseudonym("80078750587", secret)
	if err != nil || len(tmp) != PseudonymLength || tmp == a {
		t.Fatalf("pseudonym of a temporary code: %q %v", tmp, err)
	}
	if again, _ := Pseudonym(" 800-787-505-87 ", secret); again != tmp {
		t.Errorf("the same temporary code written with dashes gave %s, want %s", again, tmp)
	}
	if _, err := Pseudonym("80078750588", secret); err == nil {
		t.Error("a temporary code with a wrong check digit was accepted")
	}
	if b, _ := Pseudonym("BNC LRA 10A41 H501K", secret); b != a {
		t.Errorf("the code written with spaces gave %s, want %s", b, a)
	}
	r1, _ := RandomPseudonym()
	r2, _ := RandomPseudonym()
	if len(r1) != PseudonymLength || r1 == r2 {
		t.Errorf("random pseudonyms %q %q", r1, r2)
	}
	if fiscalCodeShapeOK(a) || fiscalCodeShapeOK(r1) {
		t.Error("a pseudonym looks like a codice fiscale")
	}
}

func TestValidOperatorCode(t *testing.T) {
	for code, want := range map[string]bool{
		"RSSMRA85T10A562S": true, "RSSMRA85T10A562T": false,
		"00000000000": true, "12345678903": true, "12345678901": false, "1234567890": false, "1234567890A": false,
	} {
		if got := ValidOperatorCode(code); got != want {
			t.Errorf("ValidOperatorCode(%q) = %v, want %v", code, got, want)
		}
	}
}

// A child born in 2018 with the code of a municipality that ceased in 1928
// is not taken for someone born in 1918: in the century of the record's birth
// year the birthplace did not exist, and the message gives the right dates.
func TestDecodeFiscalCodeNearTheBirthYear(t *testing.T) {
	_, ref := load(t)
	code := withCheck("RSSMRA18A01C001")
	if fc := DecodeFiscalCodeAt(code, ref, cfNow); !fc.Valid || fc.BirthDate != "1918-01-01" {
		t.Fatalf("without a hint the century in which the place existed wins: %+v", fc)
	}
	fc := DecodeFiscalCodeNear(code, ref, cfNow, 2018)
	if fc.Valid {
		t.Fatalf("valid near 2018: %+v", fc)
	}
	for _, want := range []string{"C001", "CASSANO ALBESE", "01/01/2018", "dal 29/12/1862 al 22/09/1928"} {
		if !strings.Contains(fc.Reason.IT, want) {
			t.Errorf("reason %q does not say %q", fc.Reason.IT, want)
		}
	}
	for _, want := range []string{"C001", "on 2018-01-01", "from 1862-12-29 to 1928-09-22"} {
		if !strings.Contains(fc.Reason.EN, want) {
			t.Errorf("reason %q does not say %q", fc.Reason.EN, want)
		}
	}
	if strings.Contains(fc.Reason.IT+fc.Reason.EN, "1918") {
		t.Errorf("reason %q speaks of 1918", fc.Reason)
	}
	// Near 1918 the same code is valid.
	if fc := DecodeFiscalCodeNear(code, ref, cfNow, 1920); !fc.Valid || fc.BirthDate != "1918-01-01" {
		t.Errorf("near 1920: %+v", fc)
	}
}

// The finding on a child's codice fiscale is in each language whole: the
// Italian message has no English half and the English none of the Italian.
func TestFiscalCodeIssueInEachLanguage(t *testing.T) {
	reg, _ := load(t)
	in, _ := reg.Latest(InstrumentCase)
	rec := &Record{Instrument: InstrumentCase, Version: in.Version, Municipality: "063049",
		Identity: &Identity{Surname: "Verdi", Name: "Marta", FiscalCode: "VRDMRT12A41F839X"}}
	var found *Issue
	for _, is := range ValidateAt(in, rec, cfNow) {
		if is.Rule == "identity.fiscal_code" {
			found = &is
		}
	}
	if found == nil {
		t.Fatal("no finding on a codice fiscale with a wrong check character")
	}
	if want := `Non valido: carattere di controllo "X" errato: atteso "Y"`; found.MessageIT != want {
		t.Errorf("Italian: %q, want %q", found.MessageIT, want)
	}
	if want := `Not valid: wrong check character "X": "Y" expected`; found.MessageEN != want {
		t.Errorf("English: %q, want %q", found.MessageEN, want)
	}
}
