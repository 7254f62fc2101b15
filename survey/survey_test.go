package survey

import (
	"os"
	"sync"
	"testing"
	"time"
)

var (
	loadOnce sync.Once
	testReg  *Registry
	testRef  *Reference
	loadErr  error
)

// load reads the shipped instruments and reference lists from the assets
// folder of the repository (package survey imports nothing of ours).
func load(t testing.TB) (*Registry, *Reference) {
	t.Helper()
	loadOnce.Do(func() {
		testRef, loadErr = LoadReference(os.DirFS("../assets"))
		if loadErr != nil {
			return
		}
		testReg, loadErr = LoadInstruments(os.DirFS("../assets/instruments"), testRef)
	})
	if loadErr != nil {
		t.Fatalf("loading assets: %v", loadErr)
	}
	return testReg, testRef
}

func caseInstrument(t testing.TB) *Instrument {
	reg, _ := load(t)
	in, ok := reg.Latest(InstrumentCase)
	if !ok {
		t.Fatal("no case record instrument")
	}
	return in
}

var refDate = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

// validCase is a complete case record with no issue at refDate.
func validCase() *Record {
	return &Record{ID: "r1", Instrument: InstrumentCase, Version: 2, Municipality: "063049", Answers: Answers{
		"IDBeneficiario":                  "ABCDEFGHIJKLMNOPQRST",
		"AnnoNascita":                     2014,
		"FasciaEtaBeneficiario":           "4",
		"CodiceNazioneResidenza":          "380",
		"CodiceRegioneResidenza":          "15",
		"MinoreStranieroNoAcc":            "2",
		"CondizioneMinore":                "1",
		"LuogoVita":                       "1",
		"ScuolaFrequentata":               "5",
		"CondizioneLavoro":                "1",
		"Disabilita":                      "2",
		"ComposizioneFamiglia":            []any{"1", "3"},
		"DataPrimaSegnalazione":           "03/2022",
		"FonteSegnalazione":               "13",
		"ValutazioneMinore":               "2",
		"ValutazioneFamigliaMinore":       "2",
		"SegnalazioneAutoritaGiudiziaria": "2",
		"ProvvedimentoGiudiziario":        "2",
		"CodicePrestazione":               []any{"A1.01"},
	}}
}

func TestSmoke(t *testing.T) {
	in := caseInstrument(t)
	issues := ValidateAt(in, validCase(), refDate)
	for _, is := range issues {
		t.Errorf("unexpected issue %+v", is)
	}
}

func parseDay(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }
