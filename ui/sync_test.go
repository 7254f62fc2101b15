package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"sinba/assets"
)

// The lines of the history of rounds agree in number with their counts, in
// both languages, and name versions, not records, where versions moved.
func TestRoundLinesAgreeInNumber(t *testing.T) {
	test.NewTempApp(t)
	a := &App{lang: "it"}
	at := time.Date(2026, 12, 1, 14, 5, 0, 0, time.Local)
	for _, c := range []struct {
		lang  string
		round SyncRound
		want  string
	}{
		{"it", SyncRound{At: at, Sent: 1}, "01/12/2026 14:05 · inviata 1 versione di scheda, accettata dal server"},
		{"it", SyncRound{At: at, Sent: 3, Refused: 1}, "inviate 3 versioni di schede (1 rifiutata dal server)"},
		{"it", SyncRound{At: at, Received: 1}, "ricevuta 1 versione di scheda dai colleghi"},
		{"it", SyncRound{At: at, Received: 4}, "ricevute 4 versioni di schede dai colleghi"},
		{"it", SyncRound{At: at, Received: 2, Conflicts: 1}, "ricevute 2 versioni di schede dai colleghi; 1 scheda in conflitto, da risolvere"},
		{"it", SyncRound{At: at, Conflicts: 2, Received: 2}, "2 schede in conflitto, da risolvere"},
		{"it", SyncRound{At: at, Instruments: 5}, "ricevute 5 versioni di strumenti"},
		{"it", SyncRound{At: at, Instruments: 1, InstrumentVersions: []InstrumentVersion{{"scheda-minore", 3}}}, "· ricevuta scheda-minore, versione 3"},
		{"it", SyncRound{At: at, Instruments: 3, InstrumentVersions: []InstrumentVersion{{"scheda-minore", 2}, {"scheda-minore", 3}, {"scheda-comune", 1}}},
			"· ricevute scheda-minore, versioni 2 e 3, e scheda-comune, versione 1"},
		{"en", SyncRound{At: at, Received: 1, Conflicts: 1}, "1 record version received from colleagues; 1 record in conflict, to resolve"},
		{"en", SyncRound{At: at, Instruments: 2, InstrumentVersions: []InstrumentVersion{{"scheda-minore", 2}, {"scheda-minore", 3}}}, "received scheda-minore, versions 2 and 3"},
	} {
		if err := LoadTranslations(func(name string) ([]byte, error) { return assets.Translations.ReadFile("translations/" + name) }, c.lang); err != nil {
			t.Fatal(err)
		}
		a.lang = c.lang
		if got := a.roundText(c.round); !strings.Contains(got, c.want) {
			t.Errorf("%s %+v: %q, want %q", c.lang, c.round, got, c.want)
		}
	}
}
