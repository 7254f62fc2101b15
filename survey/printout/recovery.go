package printout

import (
	"io"
	"strings"
	"time"

	"sinba/survey"
)

// recoveryTitle heads the page of a recovery key.
var recoveryTitle = survey.Text{IT: "Chiave di recupero dell'archivio sinba", EN: "Recovery key of the sinba store"}

// RecoveryKey writes the one page on which a store's recovery key is kept:
// the key in large letters, a line per group of seven, and what to do with
// the paper. It is meant to be printed at once and the file deleted.
func RecoveryKey(w io.Writer, key string, o Options) error {
	p, err := newPage(o, &survey.Instrument{Title: recoveryTitle}, recoveryTitle.In(o.Lang))
	if err != nil {
		return err
	}
	p.title(p.t(recoveryTitle))
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	p.field(p.t(survey.Text{IT: "Stampata", EN: "Printed"}), stamp(now))
	p.pdf.Ln(4)
	p.text(p.t(survey.Text{
		IT: "Questa chiave riapre l'archivio cifrato del computer se la frase segreta è dimenticata. Chi la possiede può leggere le schede: conservala in un luogo chiuso, lontano dal computer. Dopo la stampa cancella il file PDF: non tenerlo su questo computer né in una cartella sincronizzata.",
		EN: "This key reopens the computer's encrypted store if the passphrase is forgotten. Whoever holds it can read the records: keep it locked away, far from the computer. Once printed, delete the PDF file: do not keep it on this computer or in a synced folder.",
	}))
	p.pdf.Ln(6)
	p.pdf.SetFont(family, "B", 17)
	for _, line := range KeyLines(key) {
		p.pdf.CellFormat(0, 10, line, "", 1, "C", false, 0, "")
	}
	p.pdf.Ln(6)
	p.small(p.t(survey.Text{
		IT: "Le lettere sono in gruppi di quattro; maiuscole o minuscole e trattini non contano. La chiave contiene un controllo: un errore di battitura viene riconosciuto.",
		EN: "The letters come in groups of four; case and dashes do not matter. The key carries a check: a typing mistake is recognised.",
	}))
	return p.output(w)
}

// keyGroupsPerLine is how many groups of a recovery key go on a line: two
// lines for the 13 groups, each short enough for a narrow box or a page.
const keyGroupsPerLine = 7

// KeyLines splits a recovery key ("ABCD-EFGH-...") into lines of at most
// seven groups, each line still joined by dashes.
func KeyLines(key string) []string {
	groups := strings.Split(key, "-")
	var lines []string
	for len(groups) > 0 {
		n := min(keyGroupsPerLine, len(groups))
		lines = append(lines, strings.Join(groups[:n], "-"))
		groups = groups[n:]
	}
	return lines
}
