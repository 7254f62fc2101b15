package survey

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"time"
)

// identityFields are the JSON names of Identity, in the record's "identity".
var identityFields = []string{"surname", "name", "sex", "birth_date", "birth_place", "fiscal_code"}

// IdentificationFields lists what identifies a child in a record of the
// instrument and must never leave the laptop in clear: every field of the
// identification (as identity.surname, identity.fiscal_code, ...) and the
// questions marked identifying.
func IdentificationFields(in *Instrument) []string {
	out := make([]string, 0, len(identityFields)+2)
	for _, f := range identityFields {
		out = append(out, "identity."+f)
	}
	if in != nil {
		for _, q := range in.order {
			if q.Identifying {
				out = append(out, q.ID)
			}
		}
	}
	return out
}

// StripIdentification returns a copy of rec without its identification and
// without the answers of identifying questions: what may leave the laptop.
func StripIdentification(in *Instrument, rec Record) Record {
	rec.Identity = nil
	ans := make(Answers, len(rec.Answers))
	for k, v := range rec.Answers {
		if q, ok := in.questions[k]; ok && q.Identifying {
			continue
		}
		ans[k] = v
	}
	rec.Answers = ans
	return rec
}

func checkIdentity(in *Instrument, st *state, id *Identity) []Issue {
	if id.Empty() {
		return nil
	}
	var issues []Issue
	add := func(rule string, sev Severity, fields []string, it, en string) {
		issues = append(issues, Issue{Rule: "identity." + rule, Severity: sev, Fields: fields, MessageIT: it, MessageEN: en})
	}
	if id.Sex != "" && id.Sex != "M" && id.Sex != "F" {
		add("sex", SeverityError, []string{"identity.sex"}, "sesso: indica M o F", "sex: M or F")
	}
	var birth time.Time
	if id.BirthDate != "" {
		var err error
		if birth, err = time.Parse("2006-01-02", id.BirthDate); err != nil {
			add("birth_date", SeverityError, []string{"identity.birth_date"}, "data di nascita: serve AAAA-MM-GG", "birth date: YYYY-MM-DD is needed")
		}
	}
	year, hasYear := st.env["AnnoNascita"].(int)
	if id.FiscalCode != "" {
		fc := decodeChildCode(in, st, id)
		if !fc.Valid {
			add("fiscal_code", SeverityError, []string{"identity.fiscal_code"}, "Non valido: "+fc.Reason.IT,
				"Not valid: "+fc.Reason.EN)
			return issues
		}
		if fc.Temporary {
			// A temporary code says nothing of birth, sex or place.
			return issues
		}
		if id.Sex != "" && id.Sex != fc.Sex {
			add("sex", SeverityError, []string{"identity.sex", "identity.fiscal_code"},
				"il sesso non corrisponde al codice fiscale", "the sex does not match the codice fiscale")
		}
		if !birth.IsZero() && birth.Format("2006-01-02") != fc.BirthDate {
			add("birth_date", SeverityError, []string{"identity.birth_date", "identity.fiscal_code"},
				"la data di nascita non corrisponde al codice fiscale ("+fc.BirthDate+")",
				"the birth date does not match the codice fiscale ("+fc.BirthDate+")")
		}
		if bp := strings.ToUpper(strings.TrimSpace(id.BirthPlace)); len(bp) == 4 && bp != fc.Birthplace {
			add("birth_place", SeverityWarning, []string{"identity.birth_place", "identity.fiscal_code"},
				"il luogo di nascita non corrisponde al codice fiscale ("+fc.BirthplaceName+")",
				"the birthplace does not match the codice fiscale ("+fc.BirthplaceName+")")
		}
		if birth.IsZero() {
			birth, _ = time.Parse("2006-01-02", fc.BirthDate)
		}
	}
	if hasYear && !birth.IsZero() && birth.Year() != year {
		add("birth_year", SeverityError, []string{"AnnoNascita", "identity.birth_date"},
			fmt.Sprintf("l'anno di nascita %d non corrisponde all'identificazione (%d)", year, birth.Year()),
			fmt.Sprintf("year of birth %d does not match the identification (%d)", year, birth.Year()))
	}
	return issues
}

// decodeChildCode decodes the codice fiscale of a case record's child in the
// century of the record's birth year (or, without one, of the birth date or
// of the reference year: a child), so that a birthplace that had ceased by
// then is reported as such, with its dates, instead of moving the birth a
// century back.
func decodeChildCode(in *Instrument, st *state, id *Identity) FiscalCode {
	near := st.ref.Year()
	if y, ok := st.env["AnnoNascita"].(int); ok && y > 0 {
		near = y
	} else if b, err := time.Parse("2006-01-02", id.BirthDate); err == nil {
		near = b.Year()
	}
	return DecodeFiscalCodeNear(id.FiscalCode, in.ref, st.ref, near)
}

// PseudonymLength is the length of an IDBeneficiario made by Pseudonym or
// RandomPseudonym (SINBA allows at most 20 characters).
const PseudonymLength = 20

// pseudonymContext separates this use of the project secret from any other.
const pseudonymContext = "sinba/IDBeneficiario/v1\x00"

// MinSecretLength is the shortest project secret Pseudonym accepts.
const MinSecretLength = 16

var pseudoEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Pseudonym derives the IDBeneficiario of a child from the codice fiscale:
// HMAC-SHA256, keyed with the project secret, of a context string and the
// codice fiscale with omocodia undone (or the 11 digits of a temporary code,
// so a child known by one gets a stable pseudonym), its first 100 bits written as 20
// characters of base32 (A-Z, 2-7). The same child has the same pseudonym on
// every laptop that holds the project secret, whichever omocode variant was
// typed; without the secret the pseudonym cannot be linked back to the code.
func Pseudonym(fiscalCode string, secret []byte) (string, error) {
	if len(secret) < MinSecretLength {
		return "", fmt.Errorf("pseudonym: the project secret must have at least %d bytes", MinSecretLength)
	}
	n, why := canonicalFiscalCode(fiscalCode)
	if why.IT != "" {
		return "", Errorf("codice fiscale non valido: %s", "codice fiscale not valid: %s", why)
	}
	// In the rare case that the pseudonym would itself look like a codice
	// fiscale (and so be refused as an IDBeneficiario), the next one of a
	// counter is taken: still the same for the same child everywhere.
	for i := 0; ; i++ {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(pseudonymContext))
		mac.Write([]byte(n))
		if i > 0 {
			fmt.Fprintf(mac, "\x00%d", i)
		}
		if p := pseudoEncoding.EncodeToString(mac.Sum(nil)[:13])[:PseudonymLength]; !LooksLikeFiscalCode(p) {
			return p, nil
		}
	}
}

// RandomPseudonym makes an IDBeneficiario for a child with no codice fiscale:
// 100 random bits in the same form as Pseudonym, never one that looks like a
// codice fiscale.
func RandomPseudonym() (string, error) {
	b := make([]byte, 13)
	for {
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		if p := pseudoEncoding.EncodeToString(b)[:PseudonymLength]; !LooksLikeFiscalCode(p) {
			return p, nil
		}
	}
}
