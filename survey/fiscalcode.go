package survey

import (
	"fmt"
	"strings"
	"time"
)

// FiscalCode is a decoded codice fiscale. Its JSON form is the output of
// `sinba cf`: keep the names stable.
type FiscalCode struct {
	Code  string `json:"code"`  // as given, in capitals, without spaces and dashes
	Valid bool   `json:"valid"` // every check passed
	// Reason says what is wrong when the code is not valid, in Italian
	// and English; zero for a valid code.
	Reason         Text   `json:"reason,omitzero"`
	BirthDate      string `json:"birth_date"`      // YYYY-MM-DD
	Sex            string `json:"sex"`             // "M" or "F"
	Birthplace     string `json:"birthplace"`      // Belfiore code
	BirthplaceName string `json:"birthplace_name"` // name on the birth date
	Omocode        bool   `json:"omocode"`         // some digits were replaced to tell apart two people
	Normalized     string `json:"normalized"`      // the code with omocodia undone (check character recomputed)
	// Temporary marks an 11-digit numeric code with a correct check digit:
	// the temporary codice fiscale the Agenzia delle Entrate gives a person
	// whose identity is not yet established (often an unaccompanied foreign
	// minor). It carries no birth date, sex or birthplace.
	Temporary bool `json:"temporary,omitempty"`
}

// cleanFiscalCode puts a code in capitals and takes out the spaces and
// dashes it is often written with ("CCC FBA 85 D03 L219 P").
func cleanFiscalCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch r {
		case ' ', '\t', '\n', '\r', '-', '\u00a0':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// numericCodeOK reports whether s is an 11-digit numeric codice fiscale with
// a correct check digit (the algorithm of the Partita IVA).
func numericCodeOK(s string) bool {
	if len(s) != 11 {
		return false
	}
	sum := 0
	for i := 0; i < 11; i++ {
		if !isDigit(s[i]) {
			return false
		}
		d := int(s[i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// canonicalFiscalCode is the one form of a child's code that keys lookups
// and the pseudonym: a 16-character code with omocodia undone, or an 11-digit
// temporary code; why says what is wrong otherwise (zero when nothing is).
func canonicalFiscalCode(code string) (string, Text) {
	c := cleanFiscalCode(code)
	if len(c) == 11 && allDigits(c) {
		if !numericCodeOK(c) {
			return "", reason("codice fiscale numerico (provvisorio): cifra di controllo errata", "numeric (temporary) codice fiscale: wrong check digit")
		}
		return c, Text{}
	}
	n, _, why := structure(c)
	return n, why
}

// Positions (0-based) of the digits that omocodia may replace, and the
// letters that replace 0..9.
var omocodePositions = [7]int{6, 7, 9, 10, 12, 13, 14}

const omocodeLetters = "LMNPQRSTUV"

const monthLetters = "ABCDEHLMPRST"

// Values of the characters in odd (1st, 3rd, ...) positions for the check
// character; in even positions a digit counts its value and a letter its
// place in the alphabet.
var oddValues = [26]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

func cfCharValue(c byte, odd bool) int {
	var i int
	switch {
	case c >= '0' && c <= '9':
		i = int(c - '0')
	default:
		i = int(c - 'A')
	}
	if odd {
		return oddValues[i]
	}
	return i
}

// checkChar computes the check character of the first 15 characters.
func checkChar(s string) byte {
	sum := 0
	for i := 0; i < 15; i++ {
		sum += cfCharValue(s[i], i%2 == 0)
	}
	return byte('A' + sum%26)
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

func isOmocodePos(i int) bool {
	for _, p := range omocodePositions {
		if p == i {
			return true
		}
	}
	return false
}

// reason is what is wrong with a code, each language formatted with the
// same arguments.
func reason(it, en string, a ...any) Text {
	return Text{IT: fmt.Sprintf(it, a...), EN: fmt.Sprintf(en, a...)}
}

// structure checks the form of a 16-character code in capitals and returns
// the normalised code (omocodia undone, check character recomputed).
func structure(c string) (normalized string, omocode bool, why Text) {
	if len(c) != 16 {
		return "", false, reason("lunghezza %d: servono 16 caratteri", "length %d: 16 characters are needed", len([]rune(c)))
	}
	n := []byte(c)
	for i := 0; i < 16; i++ {
		ch := c[i]
		switch {
		case isOmocodePos(i):
			if isDigit(ch) {
				continue
			}
			if k := strings.IndexByte(omocodeLetters, ch); k >= 0 {
				n[i] = byte('0' + k)
				omocode = true
				continue
			}
			return "", false, reason("carattere %q in posizione %d: serve una cifra o una lettera di omocodia (L-V)",
				"character %q at position %d: a digit or an omocodia letter (L-V) is needed", string(ch), i+1)
		case !isLetter(ch):
			return "", false, reason("carattere %q in posizione %d: serve una lettera", "character %q at position %d: a letter is needed", string(ch), i+1)
		}
	}
	if want := checkChar(c); c[15] != want {
		return "", omocode, reason("carattere di controllo %q errato: atteso %q", "wrong check character %q: %q expected", string(c[15]), string(want))
	}
	n[15] = checkChar(string(n))
	return string(n), omocode, Text{}
}

// NormalizeFiscalCode returns a codice fiscale in capitals, without spaces
// or dashes and with omocodia undone, so that every way of writing one
// child's code gives the same string (the key of lookups and of the
// pseudonym); an 11-digit temporary code is its digits. A code of the wrong
// shape comes back only cleaned.
func NormalizeFiscalCode(code string) string {
	if n, why := canonicalFiscalCode(code); why.IT == "" {
		return n
	}
	return cleanFiscalCode(code)
}

// fiscalCodeShapeOK reports whether s has the form and the check character
// of a codice fiscale, omocodes included; it does not check date or place.
func fiscalCodeShapeOK(s string) bool {
	_, _, why := structure(cleanFiscalCode(s))
	return why.IT == ""
}

// DecodeFiscalCode validates and decodes a codice fiscale at today's date;
// see DecodeFiscalCodeAt.
func DecodeFiscalCode(code string, ref *Reference) FiscalCode {
	return DecodeFiscalCodeAt(code, ref, time.Now())
}

// DecodeFiscalCodeAt validates and decodes a codice fiscale: form, check
// character, omocodia (any of the 128 variants), birth date and sex, and,
// when ref is not nil, the birthplace: a municipality or foreign state that
// existed on the birth date. The century of the birth year is the latest
// that puts the birth date on or before now (and, between two, the one on
// which the birthplace existed). Lowercase, spaces and dashes are accepted;
// an 11-digit numeric code with its check digit is a valid temporary code.
// Reason says precisely what is wrong, in Italian and English.
func DecodeFiscalCodeAt(code string, ref *Reference, now time.Time) FiscalCode {
	return decodeFiscalCode(code, ref, now, 0)
}

// DecodeFiscalCodeNear is DecodeFiscalCodeAt for a person whose birth year
// is known to be about year (a case record's AnnoNascita, or the reference
// year for a child): the century is the one that puts the birth year nearest
// to it, and a birthplace that did not exist then is an error rather than a
// reason to move the birth a century back.
func DecodeFiscalCodeNear(code string, ref *Reference, now time.Time, year int) FiscalCode {
	return decodeFiscalCode(code, ref, now, year)
}

func decodeFiscalCode(code string, ref *Reference, now time.Time, near int) FiscalCode {
	c := cleanFiscalCode(code)
	fc := FiscalCode{Code: c}
	if c == "" {
		fc.Reason = reason("codice vuoto", "empty code")
		return fc
	}
	if len(c) == 11 && allDigits(c) {
		if _, why := canonicalFiscalCode(c); why.IT != "" {
			fc.Reason = why
			return fc
		}
		fc.Valid, fc.Temporary, fc.Normalized = true, true, c
		return fc
	}
	n, omo, why := structure(c)
	fc.Omocode = omo
	if why.IT != "" {
		fc.Reason = why
		return fc
	}
	fc.Normalized = n
	m := strings.IndexByte(monthLetters, n[8])
	if m < 0 {
		fc.Reason = reason("lettera del mese %q non valida (ammesse %s)", "month letter %q is not valid (allowed: %s)", string(n[8]), monthLetters)
		return fc
	}
	month := time.Month(m + 1)
	day := int(n[9]-'0')*10 + int(n[10]-'0')
	fc.Sex = "M"
	if day > 40 {
		fc.Sex = "F"
		day -= 40
	}
	if day < 1 || day > 31 {
		fc.Sex = ""
		fc.Reason = reason("giorno di nascita %s non valido (1-31 per i maschi, 41-71 per le femmine)",
			"birth day %s is not valid (1-31 for males, 41-71 for females)", n[9:11])
		return fc
	}
	yy := int(n[6]-'0')*10 + int(n[7]-'0')
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var dates []time.Time // candidate birth dates, latest first
	for century := (now.Year() / 100) * 100; century >= (now.Year()/100)*100-200 && len(dates) < 2; century -= 100 {
		d := time.Date(century+yy, month, day, 0, 0, 0, 0, time.UTC)
		if d.Day() == day && !d.After(today) { // 29 February exists in some centuries only
			dates = append(dates, d)
		}
	}
	if len(dates) == 0 {
		fc.Reason = reason("data di nascita inesistente: %02d/%02d/%02d", "no such birth date: %02d/%02d/%02d", day, int(month), yy)
		return fc
	}
	if near > 0 {
		best := dates[0]
		for _, d := range dates[1:] {
			if abs(d.Year()-near) < abs(best.Year()-near) {
				best = d
			}
		}
		dates = []time.Time{best}
	}
	birth := dates[0]
	fc.BirthDate = birth.Format("2006-01-02")
	fc.Birthplace = n[11:15]
	if ref == nil {
		fc.Valid = true
		return fc
	}
	var known []Place
	for _, d := range dates {
		p, ok, k := ref.PlaceOn(fc.Birthplace, d)
		known = k
		if ok {
			fc.BirthDate = d.Format("2006-01-02")
			fc.BirthplaceName = p.Name
			fc.Valid = true
			return fc
		}
	}
	if len(known) == 0 {
		kind := Text{IT: "comune", EN: "municipality"}
		if fc.Birthplace[0] == 'Z' {
			kind = Text{IT: "stato estero", EN: "foreign state"}
		}
		fc.Reason = Text{IT: fmt.Sprintf("luogo di nascita %s sconosciuto (%s)", fc.Birthplace, kind.IT),
			EN: fmt.Sprintf("unknown birthplace %s (%s)", fc.Birthplace, kind.EN)}
		return fc
	}
	last := known[len(known)-1]
	fc.BirthplaceName = last.Name
	var it, en []string
	for _, k := range known {
		if k.To >= "9999" {
			it = append(it, "dal "+italianDate(k.From))
			en = append(en, "from "+k.From)
		} else {
			it = append(it, "dal "+italianDate(k.From)+" al "+italianDate(k.To))
			en = append(en, "from "+k.From+" to "+k.To)
		}
	}
	// The date of a single candidate century is the one the message is about.
	fc.BirthDate = dates[0].Format("2006-01-02")
	fc.Reason = Text{IT: fmt.Sprintf("il luogo di nascita %s (%s) non esisteva il %s: esisteva %s",
		fc.Birthplace, last.Name, italianDate(fc.BirthDate), strings.Join(it, ", ")),
		EN: fmt.Sprintf("birthplace %s (%s) did not exist on %s: it existed %s", fc.Birthplace, last.Name, fc.BirthDate, strings.Join(en, ", "))}
	return fc
}

// italianDate writes YYYY-MM-DD as DD/MM/YYYY.
func italianDate(iso string) string {
	if len(iso) != 10 {
		return iso
	}
	return iso[8:10] + "/" + iso[5:7] + "/" + iso[:4]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// ValidOperatorCode reports whether s can be Ente/@CFOperatore: a codice
// fiscale with a correct check character, or an 11-digit numeric code with
// its check digit (the form of a company's codice fiscale).
func ValidOperatorCode(s string) bool { return OperatorCodeProblem(s) == (Text{}) }

// OperatorCodeProblem says what keeps s from being Ente/@CFOperatore, the
// codice fiscale of whoever sends a SINBA flow for the body (a person's 16
// characters, or the body's own 11 digits); zero when s can be it. Nothing
// stands in for a missing code: INPS reads it as the sender's.
func OperatorCodeProblem(s string) Text {
	s = strings.TrimSpace(strings.ToUpper(s))
	switch {
	case s == "":
		return Text{IT: "nessun codice indicato (16 caratteri per una persona, 11 cifre per l'ente)",
			EN: "no code given (16 characters for a person, 11 digits for the body)"}
	case len(s) == 16:
		_, _, why := structure(s)
		return why
	case len(s) == 11 && allDigits(s):
		if !numericCodeOK(s) {
			return reason("codice fiscale numerico dell'ente: cifra di controllo errata", "the body's numeric codice fiscale: wrong check digit")
		}
		return Text{}
	}
	return reason("%d caratteri: servono 16 caratteri per una persona o 11 cifre per l'ente", "%d characters: 16 characters for a person or 11 digits for the body are needed", len([]rune(s)))
}

// LooksLikeFiscalCode reports whether s is, contains or resembles a codice
// fiscale, so that none can leave the laptop as an IDBeneficiario: a
// well-formed code (any check character: a mistyped one is still a person's
// code), one with a single wrong character, its first 15 characters, and a
// run of 11 or more digits (a temporary code, or a numeric one). Spaces,
// dashes, dots and other separators are ignored. The pseudonyms sinba makes
// never look like one (see Pseudonym and RandomPseudonym).
func LooksLikeFiscalCode(s string) bool {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	u := b.String()
	digits := 0
	for i := 0; i < len(u); i++ {
		if isDigit(u[i]) {
			if digits++; digits >= 11 {
				return true
			}
		} else {
			digits = 0
		}
	}
	for i := 0; i+15 <= len(u); i++ {
		if resemblesCodeStart(u[i : i+15]) {
			return true
		}
	}
	return false
}

// resemblesCodeStart reports whether the 15 characters w have the shape of
// the first 15 of a codice fiscale, with at most one character out of place:
// letters for surname, name, month and place letter, digits (or omocodia
// letters) elsewhere, and at least six real digits among those seven.
func resemblesCodeStart(w string) bool {
	off, real := 0, 0
	for i := 0; i < 15; i++ {
		c := w[i]
		if isOmocodePos(i) {
			switch {
			case isDigit(c):
				real++
			case strings.IndexByte(omocodeLetters, c) >= 0:
			default:
				off++
			}
		} else if !isLetter(c) {
			off++
		}
	}
	return off <= 1 && real >= 6
}
