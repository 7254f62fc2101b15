package instdiff

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"sinba/survey"
)

var (
	refOnce sync.Once
	testRef *survey.Reference
	refErr  error
)

func reference(t testing.TB) *survey.Reference {
	t.Helper()
	refOnce.Do(func() { testRef, refErr = survey.LoadReference(os.DirFS("../../assets")) })
	if refErr != nil {
		t.Fatal(refErr)
	}
	return testRef
}

func shipped(t testing.TB, name string) *survey.Instrument {
	t.Helper()
	b, err := os.ReadFile("../../assets/instruments/" + name)
	if err != nil {
		t.Fatal(err)
	}
	in, err := survey.ParseInstrument(b, reference(t))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// base is a small instrument, as a JSON value the tests change.
const base = `{
 "id": "prova", "version": 1, "title": {"it": "Prova", "en": "Test"},
 "codelists": {
  "Sesso": {"codes": [{"code": "1", "label": {"it": "Maschio", "en": "Male"}}, {"code": "2", "label": {"it": "Femmina", "en": "Female"}}]},
  "Esito": {"codes": [{"code": "1", "label": {"it": "Positivo"}}, {"code": "2", "label": {"it": "Negativo"}}]}
 },
 "sections": [
  {"id": "anagrafica", "title": {"it": "Anagrafica", "en": "Personal data"}, "questions": [
   {"id": "Sesso", "type": "single", "codelist": "Sesso", "label": {"it": "Sesso", "en": "Sex"}, "required": true},
   {"id": "Eta", "type": "integer", "label": {"it": "Età", "en": "Age"}, "min": 0, "max": 17},
   {"id": "Telefono", "type": "text", "label": {"it": "Telefono"}},
   {"id": "Email", "type": "text", "label": {"it": "Email"}}
  ]},
  {"id": "interventi", "title": {"it": "Interventi", "en": "Interventions"}, "questions": [
   {"id": "Note", "type": "text", "label": {"it": "Note"}, "help": {"it": "Libere"}},
   {"id": "Interventi", "type": "group", "label": {"it": "Interventi"}, "items": [
    {"id": "Codice", "type": "text", "label": {"it": "Codice"}, "pattern": "[A-Z]{5}"},
    {"id": "Esito", "type": "single", "codelist": "Esito", "label": {"it": "Esito"}}
   ]}
  ]}
 ],
 "rules": [
  {"id": "eta_max", "severity": "error", "fields": ["Eta"], "assert": "Eta <= 17", "message": {"it": "Troppo grande", "en": "Too old"}}
 ]
}`

// version returns base as version v, changed by edit.
func version(t *testing.T, v int, edit func(m map[string]any)) *survey.Instrument {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(base), &m); err != nil {
		t.Fatal(err)
	}
	m["version"] = v
	if edit != nil {
		edit(m)
	}
	b, _ := json.Marshal(m)
	in, err := survey.ParseInstrument(b, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return in
}

func section(m map[string]any, i int) map[string]any {
	return m["sections"].([]any)[i].(map[string]any)
}

func question(m map[string]any, s, i int) map[string]any {
	return section(m, s)["questions"].([]any)[i].(map[string]any)
}

func item(m map[string]any, i int) map[string]any {
	return question(m, 1, 1)["items"].([]any)[i].(map[string]any)
}

func codes(m map[string]any, list string) []any {
	return m["codelists"].(map[string]any)[list].(map[string]any)["codes"].([]any)
}

func setCodes(m map[string]any, list string, c []any) {
	m["codelists"].(map[string]any)[list].(map[string]any)["codes"] = c
}

func rule(m map[string]any) map[string]any { return m["rules"].([]any)[0].(map[string]any) }

// key is what a test checks of a change: kind, subject, attribute.
func key(c Change) string {
	k := string(c.Kind) + " " + c.Subject()
	if c.Attr != "" {
		k += " " + c.Attr
	}
	return k
}

func keys(cs []Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, key(c))
	}
	return out
}

// TestDiffHandMade plants one change at a time in a second version and wants
// exactly it back.
func TestDiffHandMade(t *testing.T) {
	cases := []struct {
		name string
		edit func(m map[string]any)
		want []string
	}{
		{"nothing", nil, nil},
		{"label", func(m map[string]any) { question(m, 0, 1)["label"] = map[string]any{"it": "Età in anni", "en": "Age"} }, []string{"label_changed Eta"}},
		{"english label only", func(m map[string]any) {
			question(m, 0, 1)["label"] = map[string]any{"it": "Età", "en": "Age in years"}
		}, []string{"label_changed Eta"}},
		{"help", func(m map[string]any) { delete(question(m, 1, 0), "help") }, []string{"help_changed Note"}},
		{"type", func(m map[string]any) { question(m, 0, 1)["type"] = "decimal" }, []string{"type_changed Eta"}},
		{"required", func(m map[string]any) {
			question(m, 0, 0)["required"] = false
			question(m, 0, 0)["requiredIf"] = "Eta > 3"
		}, []string{"required_changed Sesso"}},
		{"required severity", func(m map[string]any) { question(m, 0, 0)["requiredSeverity"] = "warning" }, []string{"required_changed Sesso"}},
		{"relevant", func(m map[string]any) { question(m, 0, 2)["relevant"] = "Eta > 13" }, []string{"relevant_changed Telefono"}},
		{"computed", func(m map[string]any) { question(m, 0, 1)["computed"] = "10" }, []string{"computed_changed Eta"}},
		{"limits", func(m map[string]any) { question(m, 0, 1)["max"] = 18 }, []string{"limits_changed Eta"}},
		{"pattern of an item", func(m map[string]any) { item(m, 0)["pattern"] = "[A-Z]{6}" }, []string{"pattern_changed Interventi.Codice"}},
		{"identifying", func(m map[string]any) { question(m, 0, 2)["identifying"] = true }, []string{"identifying_changed Telefono"}},
		{"moved", func(m map[string]any) {
			s0, s1 := section(m, 0), section(m, 1)
			q := s0["questions"].([]any)[3]
			s0["questions"] = s0["questions"].([]any)[:3]
			s1["questions"] = append(s1["questions"].([]any), q)
		}, []string{"question_moved Email"}},
		{"added and removed", func(m map[string]any) {
			question(m, 0, 3)["id"] = "Posta"
		}, []string{"question_added Posta", "question_removed Email"}},
		{"code added", func(m map[string]any) {
			setCodes(m, "Sesso", append(codes(m, "Sesso"), map[string]any{"code": "9", "label": map[string]any{"it": "Non indicato"}}))
		}, []string{"recoded Sesso"}},
		{"code relabelled", func(m map[string]any) {
			codes(m, "Esito")[1].(map[string]any)["label"] = map[string]any{"it": "Non riuscito"}
		}, []string{"recoded Interventi.Esito"}},
		{"list opened", func(m map[string]any) { m["codelists"].(map[string]any)["Sesso"].(map[string]any)["open"] = true }, []string{"recoded Sesso"}},
		{"same codes under another name", func(m map[string]any) {
			cl := m["codelists"].(map[string]any)
			cl["Genere"] = cl["Sesso"]
			delete(cl, "Sesso")
			question(m, 0, 0)["codelist"] = "Genere"
		}, []string{"codelist_added Genere", "codelist_removed Sesso"}},
		{"item added", func(m map[string]any) {
			g := question(m, 1, 1)
			g["items"] = append(g["items"].([]any), map[string]any{"id": "Data", "type": "date", "label": map[string]any{"it": "Data"}})
		}, []string{"items_changed Interventi", "question_added Interventi.Data"}},
		{"group removed", func(m map[string]any) {
			s1 := section(m, 1)
			s1["questions"] = s1["questions"].([]any)[:1]
			delete(m["codelists"].(map[string]any), "Esito")
		}, []string{"question_removed Interventi", "codelist_removed Esito"}},
		{"section added", func(m map[string]any) {
			m["sections"] = append(m["sections"].([]any), map[string]any{"id": "chiusura", "title": map[string]any{"it": "Chiusura"},
				"questions": []any{map[string]any{"id": "Chiusa", "type": "yesno", "label": map[string]any{"it": "Chiusa"}}}})
		}, []string{"section_added chiusura", "question_added Chiusa"}},
		{"section title and skip logic", func(m map[string]any) {
			section(m, 1)["title"] = map[string]any{"it": "Prestazioni"}
			section(m, 1)["relevant"] = "Eta > 0"
		}, []string{"section_changed interventi title", "section_changed interventi relevant"}},
		{"rule added", func(m map[string]any) {
			m["rules"] = append(m["rules"].([]any), map[string]any{"id": "tel", "severity": "warning", "fields": []any{"Telefono"}, "assert": "Telefono != ''",
				"message": map[string]any{"it": "Manca il telefono", "en": "No phone"}})
		}, []string{"rule_added tel"}},
		{"rule removed", func(m map[string]any) { m["rules"] = []any{} }, []string{"rule_removed eta_max"}},
		{"rule changed", func(m map[string]any) {
			r := rule(m)
			r["severity"] = "warning"
			r["when"] = "Sesso == '1'"
			r["assert"] = "Eta < 18"
			r["message"] = map[string]any{"it": "Età oltre i 17 anni", "en": "Too old"}
			r["fields"] = []any{"Eta", "Sesso"}
		}, []string{"rule_changed eta_max severity", "rule_changed eta_max when", "rule_changed eta_max assert", "rule_changed eta_max fields", "rule_changed eta_max message"}},
	}
	old := version(t, 1, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := keys(Diff(old, version(t, 2, c.edit)))
			if !slices.Equal(got, c.want) {
				t.Fatalf("changes:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestDiffRecodeDetail says which codes came, went and changed label.
func TestDiffRecodeDetail(t *testing.T) {
	old := version(t, 1, nil)
	new := version(t, 2, func(m map[string]any) {
		c := codes(m, "Sesso")
		c[1].(map[string]any)["label"] = map[string]any{"it": "Femmina", "en": "Woman"}
		setCodes(m, "Sesso", []any{c[1], map[string]any{"code": "3", "label": map[string]any{"it": "Altro"}}})
		m["codelists"].(map[string]any)["Sesso"].(map[string]any)["open"] = true
	})
	cs := Diff(old, new)
	if len(cs) != 1 || cs[0].Kind != Recoded {
		t.Fatalf("changes %q, want one recoded", keys(cs))
	}
	r := cs[0].Codes
	if len(r.Added) != 1 || r.Added[0].Code != "3" || len(r.Removed) != 1 || r.Removed[0].Code != "1" ||
		len(r.Relabelled) != 1 || r.Relabelled[0].Code != "2" || r.Relabelled[0].New.EN != "Woman" || r.OldOpen || !r.NewOpen {
		t.Fatalf("recode %+v", r)
	}
	if !strings.Contains(cs[0].New.IT, "+3 Altro") || !strings.Contains(cs[0].Old.IT, "−1 Maschio") || !strings.Contains(cs[0].New.IT, "elenco aperto") ||
		!strings.Contains(cs[0].Old.EN, "−1 Male") || !strings.Contains(cs[0].New.EN, "2 Woman") || !strings.Contains(cs[0].New.EN, "open list") {
		t.Errorf("recode text: %+v → %+v", cs[0].Old, cs[0].New)
	}
	// One language on a screen in that language.
	if it, en := cs[0].Line("it"), cs[0].Line("en"); strings.Contains(it, "open list") || strings.Contains(it, " / ") ||
		strings.Contains(en, "elenco") || strings.Contains(en, "Maschio") {
		t.Errorf("lines mix the languages:\n%s\n%s", it, en)
	}
	if w := cs[0].What(); w.IT != "Codici cambiati" || w.EN != "Codes changed" {
		t.Errorf("what: %+v", w)
	}
}

// TestDiffMigration reports renames, merges, drops and defaults as the newer
// version declares them, and says where the rename comes from.
func TestDiffMigration(t *testing.T) {
	old := version(t, 1, nil)
	new := version(t, 2, func(m map[string]any) {
		s0 := section(m, 0)
		qs := s0["questions"].([]any)
		question(m, 0, 1)["id"] = "EtaAnni"       // renamed
		qs[2].(map[string]any)["id"] = "Contatti" // Telefono + Email merged
		s0["questions"] = append(qs[:3], map[string]any{"id": "Cittadinanza", "type": "text", "label": map[string]any{"it": "Cittadinanza"}})
		rule(m)["fields"] = []any{"EtaAnni"}
		rule(m)["assert"] = "EtaAnni <= 17"
		group := question(m, 1, 1)
		group["id"] = "Prestazioni" // a renamed group: its items follow
		s1 := section(m, 1)
		s1["questions"] = s1["questions"].([]any)[1:] // Note dropped
		m["migrations"] = []any{map[string]any{"from": 1,
			"renamed":  map[string]any{"Eta": "EtaAnni", "Interventi": "Prestazioni"},
			"merged":   []any{map[string]any{"into": "Contatti", "from": []any{"Telefono", "Email"}}},
			"dropped":  []any{"Note"},
			"defaults": map[string]any{"Cittadinanza": "italiana"}}}
	})
	cs := Diff(old, new)
	want := []string{
		"question_renamed EtaAnni", "question_merged Contatti", "question_added Cittadinanza",
		"question_renamed Prestazioni", "question_removed Note", "rule_changed eta_max assert", "migration_declared ",
	}
	if got := keys(cs); !slices.Equal(got, want) {
		t.Fatalf("changes:\n got %q\nwant %q", got, want)
	}
	for _, c := range cs {
		switch c.Kind {
		case QuestionRenamed:
			if c.Source != FromMigration || c.Was() == c.Field {
				t.Errorf("%s: source %q, was %q", c.Field, c.Source, c.Was())
			}
		case QuestionMerged:
			if c.Old.IT != "Telefono, Email" {
				t.Errorf("merged from %q", c.Old)
			}
		case QuestionAdded:
			if !strings.Contains(c.Note.IT, "italiana") {
				t.Errorf("default not said: %+v", c.Note)
			}
		case QuestionRemoved:
			if c.Note.EN != "the migration drops its answers" {
				t.Errorf("drop not said: %+v", c.Note)
			}
		case MigrationDeclared:
			for _, s := range []string{"rinomina Eta → EtaAnni", "unisce Telefono, Email → Contatti", "toglie Note", "valore iniziale di Cittadinanza = italiana"} {
				if !strings.Contains(c.New.IT, s) {
					t.Errorf("migration text lacks %q: %s", s, c.New.IT)
				}
			}
			for _, s := range []string{"renames Eta → EtaAnni", "merges Telefono, Email → Contatti", "drops Note", "initial value of Cittadinanza = italiana"} {
				if !strings.Contains(c.New.EN, s) {
					t.Errorf("migration text (en) lacks %q: %s", s, c.New.EN)
				}
			}
			if strings.Contains(c.Line("it"), "drops") || strings.Contains(c.Line("en"), "toglie") {
				t.Errorf("migration lines mix the languages: %s | %s", c.Line("it"), c.Line("en"))
			}
		}
	}
	if got, want := Fields(cs), []string{"Eta", "Telefono", "Email", "Interventi", "Note"}; !slices.Equal(got, want) {
		t.Errorf("fields of the older version: %q, want %q", got, want)
	}

	// The legacy renamed map, when the version declares no migration.
	legacy := version(t, 2, func(m map[string]any) {
		question(m, 0, 1)["id"] = "EtaAnni"
		rule(m)["fields"] = []any{"EtaAnni"}
		rule(m)["assert"] = "EtaAnni <= 17"
		m["renamed"] = map[string]any{"Eta": "EtaAnni"}
	})
	cs = Diff(old, legacy)
	if got := keys(cs); !slices.Equal(got, []string{"question_renamed EtaAnni", "rule_changed eta_max assert"}) || cs[0].Source != FromRenamed {
		t.Fatalf("legacy renamed: %q, source %q", got, cs[0].Source)
	}
	if !strings.Contains(cs[0].String(), "dall'elenco dei campi rinominati") {
		t.Errorf("the line does not say where the rename comes from: %s", cs[0])
	}
}

// TestDiffShipped checks the differences between the shipped versions 1 and
// 2 of both instruments that the pilot's meeting would look for first.
func TestDiffShipped(t *testing.T) {
	want := map[string][]string{
		"scheda-comune": {
			"section_changed sistemi title", "section_removed datisinba", "section_added registraminore",
			"question_removed OffreSegretariatoSociale", "question_added ServizioSegretariatoSociale",
			"relevant_changed MinoriSegretariatoSociale", "required_changed MinoriSegretariatoSociale",
			"recoded CartellaSociale", "recoded ScambiDati", "question_removed RilevaIDBeneficiario",
		},
		"scheda-minore": {
			"question_added DataRiferimento", "limits_changed CodicePrestazione", "pattern_changed CodicePrestazione",
			"label_changed DettaglioInterventi.CodicePrestazione", "question_added DettaglioInterventi.Descrizione",
			"items_changed DettaglioInterventi",
		},
	}
	for id, w := range want {
		old, new := shipped(t, id+".v1.json"), shipped(t, id+".v2.json")
		cs := Diff(old, new)
		got := keys(cs)
		for _, k := range w {
			if !slices.Contains(got, k) {
				t.Errorf("%s v1→v2: no %q among %d changes", id, k, len(got))
			}
		}
		seen := map[string]bool{}
		for _, c := range cs {
			if seen[key(c)] {
				t.Errorf("%s: %q twice", id, key(c))
			}
			seen[key(c)] = true
			if w := c.What(); w.IT == "" || w.EN == "" {
				t.Errorf("%s: %q has no words", id, key(c))
			}
			if c.Kind == QuestionRenamed {
				t.Errorf("%s: v2 declares no rename, got %s", id, c)
			}
		}
		if len(Diff(new, new)) != 0 || len(Diff(old, old)) != 0 {
			t.Errorf("%s: a version differs from itself", id)
		}
	}
}

// TestChangeString is the line the headless command prints (both
// languages) and the lines of the screens (one).
func TestChangeString(t *testing.T) {
	c := Change{Kind: LimitsChanged, Field: "Eta", Label: survey.Text{IT: "Età", EN: "Age"},
		Old: survey.Text{IT: "massimo 17", EN: "max 17"}, New: survey.Text{IT: "massimo 18", EN: "max 18"}}
	if got, want := c.String(), "Limiti cambiati / Limits changed: Eta «Età»: massimo 17 / max 17 → massimo 18 / max 18"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got, want := c.Line("it"), "Limiti cambiati: Eta «Età»: massimo 17 → massimo 18"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	c = Change{Kind: QuestionRenamed, Field: "EtaAnni", Label: survey.Text{IT: "Età", EN: "Age"}, Old: plain("Eta"), New: plain("EtaAnni"), Source: FromMigration}
	if got, want := c.Line("en"), "Question renamed: EtaAnni «Age»: Eta → EtaAnni (from the declared migration)"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got, want := c.Line("it"), "Domanda rinominata: EtaAnni «Età»: Eta → EtaAnni (dalla migrazione dichiarata)"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	c = Change{Kind: MigrationDeclared, Label: survey.Text{IT: "dalla versione 1", EN: "from version 1"}, New: survey.Text{IT: "toglie Note", EN: "drops Note"}}
	if got, want := c.String(), "Migrazione dichiarata / Migration declared: «dalla versione 1»: toglie Note / drops Note"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	c = Change{Kind: RuleChanged, Rule: "r", Attr: "severity", Old: severityText(survey.SeverityError), New: severityText(survey.SeverityWarning)}
	if got, want := c.String(), "Regola modificata: gravità / Rule changed: severity: r: errore / error → avviso / warning"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	c = Change{Kind: QuestionRemoved, Field: "Chiusa", Label: survey.Text{IT: "Chiusa", EN: "Closed"}, Old: typeName(survey.TypeYesNo)}
	if got, want := c.Line("it"), "Domanda tolta: Chiusa: era sì/no"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got, want := c.Line("en"), "Question removed: Chiusa «Closed»: was yes/no"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestChangesSpeakOneLanguage: in the shipped versions and in a version
// with every kind of change, no line for a screen joins the two languages
// with " / ", and no answer type shows as its code.
func TestChangesSpeakOneLanguage(t *testing.T) {
	check := func(name string, cs []Change) {
		for _, c := range cs {
			for _, lang := range []string{"it", "en"} {
				l := c.Line(lang)
				// Labels of codes and questions are the definition's own
				// words, which may hold a " / ".
				if c.Kind != Recoded && c.Kind != LabelChanged && strings.Contains(l, " / ") {
					t.Errorf("%s (%s): %s", name, lang, l)
				}
			}
			l := c.Line("it")
			for _, code := range []string{": yesno", ": single", ": integer", "→ decimal", ": date", ": text"} {
				if strings.Contains(l, code) {
					t.Errorf("%s: a type code in %s", name, l)
				}
			}
		}
	}
	for _, id := range []string{"scheda-comune", "scheda-minore"} {
		check(id, Diff(shipped(t, id+".v1.json"), shipped(t, id+".v2.json")))
	}
	old := version(t, 1, nil)
	new := version(t, 2, func(m map[string]any) {
		question(m, 0, 1)["type"] = "decimal"
		question(m, 0, 0)["requiredSeverity"] = "warning"
		question(m, 0, 2)["identifying"] = true
		question(m, 0, 3)["maxLength"] = 80
		m["sections"] = append(m["sections"].([]any), map[string]any{"id": "chiusura", "title": map[string]any{"it": "Chiusura", "en": "Closing"},
			"questions": []any{map[string]any{"id": "Chiusa", "type": "yesno", "label": map[string]any{"it": "Chiusa"}}}})
		rule(m)["severity"] = "warning"
		m["rules"] = append(m["rules"].([]any), map[string]any{"id": "cod", "severity": "error", "each": "Interventi", "fields": []any{"Interventi"},
			"assert": "true", "message": map[string]any{"it": "Codice", "en": "Code"}})
		m["migrations"] = []any{map[string]any{"from": 1, "defaults": map[string]any{"Chiusa": true}}}
	})
	cs := Diff(old, new)
	check("hand-made", cs)
	var lines []string
	for _, c := range cs {
		lines = append(lines, c.Line("it"))
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{"Tipo di risposta cambiato: Eta «Età»: numero intero → numero decimale", "Domanda aggiunta: Chiusa: sì/no (valore iniziale per le schede spostate: sì)",
		"Obbligatorietà cambiata: Sesso: sì → sì (avviso)", "Regola aggiunta: cod «Codice»: errore: true per ogni elemento di Interventi",
		"Limiti cambiati: Email: nessuno → al più 80 caratteri", "Regola modificata: gravità: eta_max «Troppo grande»: errore → avviso",
		"Migrazione dichiarata: «dalla versione 1»: valore iniziale di Chiusa = sì"} {
		if !strings.Contains(all, want) {
			t.Errorf("no line %q among\n%s", want, all)
		}
	}
}
