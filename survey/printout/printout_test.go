package printout

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinba/survey"
)

func domain(t *testing.T) (*survey.Registry, Fonts) {
	t.Helper()
	ref, err := survey.LoadReference(os.DirFS("../../assets"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := survey.LoadInstruments(os.DirFS("../../assets/instruments"), ref)
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := LoadFonts(os.DirFS("../../assets"))
	if err != nil {
		t.Fatal(err)
	}
	return reg, fonts
}

// pdfText checks that b is a PDF of between minPages and maxPages pages and
// returns its text layer, read by pdftotext (poppler-utils).
func pdfText(t *testing.T, b []byte, minPages, maxPages int) string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[max(0, len(b)-64):], []byte("%%EOF")) {
		t.Fatalf("not a PDF: starts %q", b[:min(len(b), 16)])
	}
	f := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", f).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo gave no page count:\n%s", info)
	}
	n, _ := strconv.Atoi(string(m[1]))
	if n < minPages || n > maxPages {
		t.Errorf("%d pages, want %d to %d", n, minPages, maxPages)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	if os.Getenv("PRINTOUT_KEEP") != "" {
		_ = os.WriteFile(filepath.Join(os.Getenv("PRINTOUT_KEEP"), fmt.Sprintf("%s.pdf", strings.ReplaceAll(t.Name(), "/", "_"))), b, 0o644)
	}
	// pdftotext breaks lines where the PDF wraps them: compare on words.
	return strings.Join(strings.Fields(string(out)), " ")
}

func contains(t *testing.T, text, want string) {
	t.Helper()
	if !strings.Contains(text, strings.Join(strings.Fields(want), " ")) {
		t.Errorf("the text layer lacks %q", want)
	}
}

// fill answers every question of the instrument with a value of its type,
// the first code of each list, two items in each group; one question is
// marked "not held" with a reason and a note.
func fill(in *survey.Instrument) survey.Record {
	rec := survey.Record{ID: "rec-1", Instrument: in.ID, Version: in.Version, Municipality: "063049",
		Answers: survey.Answers{}, Meta: map[string]survey.FieldMeta{}}
	var value func(q *survey.Question) any
	value = func(q *survey.Question) any {
		switch q.Type {
		case survey.TypeText:
			return "testo è così"
		case survey.TypeInteger:
			return float64(3)
		case survey.TypeDecimal:
			return 2.5
		case survey.TypeDate:
			return "2020-03-04"
		case survey.TypeMonthYear:
			return "03/2020"
		case survey.TypeYesNo:
			return true
		case survey.TypeSingle:
			return in.Codelist(q).Codes[0].Code
		case survey.TypeMulti:
			cs := in.Codelist(q).Codes
			return []any{cs[0].Code, cs[len(cs)-1].Code}
		case survey.TypeLookup:
			return in.LookupList(q).Entries()[0].Code
		case survey.TypeGroup:
			var items []any
			for range 2 {
				m := map[string]any{}
				for _, iq := range q.Items {
					m[iq.ID] = value(iq)
				}
				items = append(items, m)
			}
			return items
		}
		return nil
	}
	for _, q := range in.Questions() {
		rec.Answers[q.ID] = value(q)
	}
	if in.ID == survey.InstrumentCase {
		rec.Answers["IDBeneficiario"] = "PSEUDONIMOABCDEFGHIJ"
		rec.Identity = &survey.Identity{Surname: "Bianchi", Name: "Laura", Sex: "F", BirthDate: "2010-01-01", FiscalCode: "BNCLRA10A41H501K"}
	}
	return rec
}

func TestBlankEveryInstrument(t *testing.T) {
	reg, fonts := domain(t)
	for _, id := range reg.IDs() {
		for _, v := range reg.Versions(id) {
			in, _ := reg.Get(id, v)
			for _, lang := range []string{"it", "en"} {
				t.Run(fmt.Sprintf("%s@%d/%s", id, v, lang), func(t *testing.T) {
					var b bytes.Buffer
					if err := Blank(&b, in, Options{Lang: lang, Fonts: fonts}); err != nil {
						t.Fatal(err)
					}
					text := pdfText(t, b.Bytes(), 3, 80)
					contains(t, text, in.Title.In(lang))
					contains(t, text, map[string]string{"it": "Pagina 1 di", "en": "Page 1 of"}[lang])
					if strings.Contains(text, "{nb}") {
						t.Error("the page total was not filled in")
					}
					for _, s := range in.Sections {
						contains(t, text, s.Title.In(lang))
						for _, q := range s.Questions {
							contains(t, text, q.Label.In(lang))
							if cl := in.Codelist(q); cl != nil {
								contains(t, text, codeLabel(cl.Codes[0], lang))
							}
							for _, iq := range q.Items {
								contains(t, text, iq.Label.In(lang))
							}
						}
					}
					for _, bad := range []string{"==", "!=", "answered(", "has("} {
						if strings.Contains(text, bad) {
							t.Errorf("an expression is printed (%q)", bad)
						}
					}
				})
			}
		}
	}
}

func TestBlankSkipHints(t *testing.T) {
	reg, fonts := domain(t)
	in, _ := reg.Latest(survey.InstrumentCase)
	var b bytes.Buffer
	if err := Blank(&b, in, Options{Fonts: fonts}); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes(), 3, 80)
	q, _ := in.Question("ProvvedimentoGiudiziario")
	yes, _ := in.Codelist(q).Get("1")
	contains(t, text, "→ Rispondere se «"+q.Label.IT+"» è 1 · "+yes.Label.IT)
	contains(t, text, "L'ufficio non dispone del dato")
}

func TestHint(t *testing.T) {
	reg, _ := domain(t)
	in, _ := reg.Latest(survey.InstrumentMunicipality)
	for _, c := range []struct {
		expr string
		want bool
	}{
		{"", false},
		{"CartellaSociale in ['1', '3']", true},
		{"answered(ScambiDati) && !has(ScambiDati, '7')", true},
		{"CartellaSociale in ['1', '3'] || answered(ScambiDati)", false},
		{"NoSuchField == '1'", false},
		{"CartellaSociale == 'zz'", false},
	} {
		h := Hint(in, c.expr)
		if (h.IT != "") != c.want || (h.EN != "") != c.want {
			t.Errorf("Hint(%q) = %+v, want a hint: %v", c.expr, h, c.want)
		}
		if strings.ContainsAny(h.IT, "=[]|&") {
			t.Errorf("Hint(%q) = %q: an expression leaks into the text", c.expr, h.IT)
		}
	}
}

func TestRecordEveryInstrument(t *testing.T) {
	reg, fonts := domain(t)
	when := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	for _, id := range reg.IDs() {
		for _, v := range reg.Versions(id) {
			in, _ := reg.Get(id, v)
			rec := fill(in)
			// One question not held, with a reason and a note, and a note
			// on another.
			var notHeld, noted *survey.Question
			for _, q := range in.Questions() {
				if q.Type == survey.TypeSingle && notHeld == nil {
					notHeld = q
				} else if q.Type != survey.TypeGroup && noted == nil && q.ID != "IDBeneficiario" {
					noted = q
				}
			}
			delete(rec.Answers, notHeld.ID)
			rec.Meta[notHeld.ID] = survey.FieldMeta{NotHeld: true, Reason: survey.ReasonPaperOnly, Note: "nel fascicolo cartaceo"}
			rec.Meta[noted.ID] = survey.FieldMeta{Note: "verificato con l'assistente sociale"}
			info := Info{Status: survey.StatusReturned, Created: when, Updated: when.Add(time.Hour)}
			for _, lang := range []string{"it", "en"} {
				t.Run(fmt.Sprintf("%s@%d/%s", id, v, lang), func(t *testing.T) {
					var b bytes.Buffer
					if err := Record(&b, in, rec, info, Options{Lang: lang, Fonts: fonts, Now: when}); err != nil {
						t.Fatal(err)
					}
					text := pdfText(t, b.Bytes(), 2, 60)
					contains(t, text, in.Title.In(lang))
					contains(t, text, "Napoli (063049)")
					contains(t, text, survey.StatusReturned.Label().In(lang))
					contains(t, text, "03/11/2026")
					contains(t, text, notHeld.Label.In(lang))
					contains(t, text, map[string]string{"it": "L'ufficio non dispone del dato · motivo: ", "en": "The office does not hold this datum · reason: "}[lang]+survey.ReasonPaperOnly.Label().In(lang))
					contains(t, text, "nel fascicolo cartaceo")
					contains(t, text, "verificato con l'assistente sociale")
					relevant := survey.Relevance(in, &rec, when)
					for _, q := range in.Questions() {
						if !relevant[q.ID] {
							// A question that does not apply is left out,
							// even with an answer left in it.
							if l := q.Label.In(lang); !strings.Contains(strings.Join(labels(in, lang, q), "\n"), l) && strings.Contains(text, l) {
								t.Errorf("%s does not apply, but is printed", q.ID)
							}
							continue
						}
						contains(t, text, q.Label.In(lang))
						if cl := in.Codelist(q); cl != nil && q.ID != notHeld.ID {
							contains(t, text, codeLabel(cl.Codes[0], lang))
						}
						if q.Type == survey.TypeGroup {
							contains(t, text, map[string]string{"it": "Elemento 2 di 2", "en": "Item 2 of 2"}[lang])
						}
					}
					if in.ID == survey.InstrumentCase {
						contains(t, text, "PSEUDONIMOABCDEFGHIJ")
						for _, secret := range []string{"BNCLRA10A41H501K", "Bianchi", "Laura"} {
							if strings.Contains(text, secret) {
								t.Errorf("the identification (%s) is printed without WithIdentity", secret)
							}
						}
						contains(t, text, map[string]string{"it": "Identificazione del minore omessa", "en": "identification is left out"}[lang])
					}
				})
			}
		}
	}
}

// labels are the labels and titles of the instrument other than q's.
func labels(in *survey.Instrument, lang string, q *survey.Question) []string {
	var out []string
	for _, s := range in.Sections {
		out = append(out, s.Title.In(lang))
		for _, o := range s.Questions {
			if o != q {
				out = append(out, o.Label.In(lang))
			}
			for _, iq := range o.Items {
				out = append(out, iq.Label.In(lang))
			}
		}
	}
	return out
}

func TestRecordWithIdentity(t *testing.T) {
	reg, fonts := domain(t)
	in, _ := reg.Latest(survey.InstrumentCase)
	rec := fill(in)
	var b bytes.Buffer
	if err := Record(&b, in, rec, Info{Status: survey.StatusDraft}, Options{Fonts: fonts, WithIdentity: true}); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes(), 2, 60)
	for _, want := range []string{"BNCLRA10A41H501K", "Bianchi", "Laura", "01/01/2010", "RISERVATO", "Bozza"} {
		contains(t, text, want)
	}
}

func TestNoFonts(t *testing.T) {
	reg, _ := domain(t)
	in, _ := reg.Latest(survey.InstrumentCase)
	if err := Blank(&bytes.Buffer{}, in, Options{}); err != ErrNoFonts {
		t.Fatalf("got %v, want ErrNoFonts", err)
	}
}

// TestRecoveryKeyPage prints a recovery key: the key whole on two lines,
// and what to do with the paper.
func TestRecoveryKeyPage(t *testing.T) {
	key := "TBWL-KLFU-2AO2-U4SD-PY4M-KXWX-ENC3-EFKX-JTJT-3KTH-DSN5-UMDZ-TE7Q"
	if got := KeyLines(key); len(got) != 2 || got[0] != "TBWL-KLFU-2AO2-U4SD-PY4M-KXWX-ENC3" || got[1] != "EFKX-JTJT-3KTH-DSN5-UMDZ-TE7Q" {
		t.Fatalf("KeyLines = %q, want two lines of 7 and 6 groups", got)
	}
	var buf bytes.Buffer
	_, fonts := domain(t)
	if err := RecoveryKey(&buf, key, Options{Fonts: fonts}); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes(), 1, 1)
	for _, want := range []string{"Chiave di recupero", "TBWL-KLFU-2AO2-U4SD-PY4M-KXWX-ENC3", "EFKX-JTJT-3KTH-DSN5-UMDZ-TE7Q", "cancella il file PDF"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q:\n%s", want, text)
		}
	}
	if err := RecoveryKey(&buf, key, Options{}); err != ErrNoFonts {
		t.Errorf("without fonts: %v, want ErrNoFonts", err)
	}
}
