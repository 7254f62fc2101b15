package coordinator

import (
	"fmt"
	"strings"
)

// The coordinators' screens carry their own strings, Italian first, so that
// the laptops' translation files stay the researchers' own.
var texts = map[string][2]string{
	"tab.progress":      {"Avanzamento", "Progress"},
	"tab.review":        {"Revisione", "Review"},
	"tab.quality":       {"Criticità", "Critical points"},
	"tab.results":       {"Risultati", "Results"},
	"tab.exports":       {"Esportazioni", "Exports"},
	"sync":              {"Scarica dal server", "Download from the server"},
	"sync.done":         {"Ricevute %d versioni e %d decisioni; segreto consegnato a %d computer", "Received %d versions and %d decisions; secret handed to %d laptops"},
	"sync.unreadable":   {"%d elementi non leggibili", "%d items unreadable"},
	"profile":           {"Progetto %s · %s", "Project %s · %s"},
	"profile.nokey":     {"Manca la chiave del progetto: importarla (sinba coord key-import)", "The project key is missing: import it (sinba coord key-import)"},
	"progress.total":    {"Schede: %d · questionari: %d", "Case records: %d · questionnaires: %d"},
	"progress.byMuni":   {"Per comune", "By municipality"},
	"progress.byTeam":   {"Per squadra", "By team"},
	"progress.weeks":    {"Per settimana (schede create, cumulato)", "By week (records created, cumulative)"},
	"status.draft":      {"bozza", "draft"},
	"status.final":      {"da rivedere", "to review"},
	"status.returned":   {"restituita", "returned"},
	"status.approved":   {"approvata", "approved"},
	"review.queue":      {"Da rivedere: %d", "To review: %d"},
	"review.empty":      {"Nessuna scheda da rivedere", "No record to review"},
	"review.pick":       {"Scegliere una scheda dall'elenco", "Choose a record from the list"},
	"review.field":      {"Campo", "Field"},
	"review.comment":    {"Commento", "Comment"},
	"review.whole":      {"(tutta la scheda)", "(whole record)"},
	"review.add":        {"Aggiungi commento", "Add comment"},
	"review.approve":    {"Approva", "Approve"},
	"review.return":     {"Restituisci con commenti", "Return with comments"},
	"review.needs":      {"Per restituire una scheda scrivere almeno un commento", "To return a record write at least one comment"},
	"review.history":    {"Storia della scheda", "Record history"},
	"review.comments":   {"Commenti da inviare: %d", "Comments to send: %d"},
	"review.notheld":    {"dato non disponibile", "datum not held"},
	"review.note":       {"nota: %s", "note: %s"},
	"review.byCoord":    {"coordinamento", "coordinators"},
	"review.byLaptop":   {"squadra", "team"},
	"review.done":       {"Decisione inviata", "Decision sent"},
	"quality.all":       {"Tutti i comuni", "All municipalities"},
	"quality.field":     {"Campo", "Field"},
	"quality.applic":    {"Applicabili", "Applicable"},
	"quality.missing":   {"Mancanti", "Missing"},
	"quality.notheld":   {"Non disponibili", "Not held"},
	"quality.errors":    {"Errori", "Errors"},
	"quality.notes":     {"Note", "Notes"},
	"quality.report":    {"Apri rapporto (HTML)…", "Open report (HTML)…"},
	"quality.saved":     {"Rapporto scritto in %s: aprirlo con un browser per stamparlo o salvarlo in PDF", "Report written to %s: open it in a browser to print it or save it as PDF"},
	"quality.grid":      {"Scheda Comune: dichiarazioni discordanti con le schede: %d su %d", "Scheda Comune: declarations at odds with the records: %d of %d"},
	"results.threshold": {"Soglia di protezione (celle minori oscurate)", "Protection threshold (smaller cells hidden)"},
	"results.table":     {"Tabella", "Table"},
	"results.total":     {"Totale", "Total"},
	"results.bad":       {"La soglia deve essere un numero intero da 1 a 100", "The threshold must be a whole number from 1 to 100"},
	"export.format":     {"Formato", "Format"},
	"export.all":        {"Includi le schede non ancora approvate (solo per uso interno)", "Include records not yet approved (internal use only)"},
	"export.operator":   {"Codice fiscale dell'operatore (flussi SINBA)", "Operator's codice fiscale (SINBA flows)"},
	"export.choose":     {"Scegli la cartella ed esporta…", "Choose the folder and export…"},
	"export.done":       {"Esportate %d schede in %d file nella cartella %s", "Exported %d records in %d files to %s"},
	"export.refused":    {"%d schede escluse dai flussi SINBA per errori: vedere il manifest", "%d records left out of the SINBA flows for errors: see the manifest"},
	"export.note":       {"Ogni esportazione è registrata nel registro cifrato dell'archivio.", "Every export is logged in the store's encrypted audit trail."},
	"error":             {"Errore", "Error"},
	"title":             {"Coordinamento", "Coordinators"},
	"unlock.title":      {"Apri il profilo di coordinamento", "Open the coordinator profile"},
	"unlock.intro":      {"L'archivio del coordinamento custodisce la chiave del progetto e le schede decifrate: si apre con la sua frase segreta.", "The coordinators' store keeps the project key and the decrypted records: it opens with its passphrase."},
	"unlock.passphrase": {"Frase segreta", "Passphrase"},
	"unlock.open":       {"Apri", "Open"},
	"unlock.working":    {"Apertura in corso…", "Opening…"},
	"profile.missing":   {"Su questo computer non c'è ancora un profilo di coordinamento in %s. Crearlo con il codice ricevuto dall'amministratore del server:", "This computer has no coordinator profile in %s yet. Create it with the code from the server's administrator:"},
}

// tr returns the text of key in the screens' language.
func (w *Workspace) tr(key string, a ...any) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	s := t[0]
	if w.lang == "en" {
		s = t[1]
	}
	if len(a) > 0 {
		return fmt.Sprintf(s, a...)
	}
	return s
}

// errText keeps the half of an "Italiano / English" message in the screens'
// language.
func (w *Workspace) errText(err error) string {
	it, en, ok := strings.Cut(err.Error(), " / ")
	if !ok {
		return err.Error()
	}
	if w.lang == "en" {
		return en
	}
	return it
}
