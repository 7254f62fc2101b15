package coordinator

import (
	"errors"
	"fmt"
	"strings"
)

// The coordinators' screens carry their own strings, Italian first, so that
// the laptops' translation files stay the researchers' own.
var texts = map[string][2]string{
	"tab.progress":              {"Avanzamento", "Progress"},
	"tab.review":                {"Revisione", "Review"},
	"tab.quality":               {"Criticità", "Critical points"},
	"tab.results":               {"Risultati", "Results"},
	"tab.exports":               {"Esportazioni", "Exports"},
	"tab.project":               {"Progetto", "Project"},
	"sync":                      {"Scarica dal server", "Download from the server"},
	"sync.done":                 {"Versioni ricevute: %d · decisioni: %d · computer a cui è stato consegnato il segreto: %d", "Versions received: %d · decisions: %d · laptops handed the secret: %d"},
	"sync.unreadable":           {"%d elementi non leggibili", "%d items unreadable"},
	"profile":                   {"Progetto %s · %s", "Project %s · %s"},
	"load.reading":              {"Lettura e decifratura delle schede…", "Reading and decrypting the records…"},
	"load.analysing":            {"Analisi di %d schede…", "Analysing %d records…"},
	"load.results":              {"Tabelle dei risultati su %d schede…", "Result tables over %d records…"},
	"profile.nokey":             {"Manca la chiave del progetto: senza di essa le schede non si leggono", "The project key is missing: without it the records cannot be read"},
	"progress.total":            {"Schede: %d · questionari: %d", "Case records: %d · questionnaires: %d"},
	"progress.byMuni":           {"Per comune", "By municipality"},
	"progress.byTeam":           {"Per squadra", "By team"},
	"progress.weeks":            {"Per settimana (schede create, cumulato)", "By week (records created, cumulative)"},
	"status.draft":              {"bozza", "draft"},
	"status.final":              {"da rivedere", "to review"},
	"status.returned":           {"restituita", "returned"},
	"status.approved":           {"approvata", "approved"},
	"review.queue":              {"Da rivedere: %d", "To review: %d"},
	"review.empty":              {"Nessuna scheda da rivedere", "No record to review"},
	"review.pick":               {"Scegliere una scheda dall'elenco", "Choose a record from the list"},
	"review.field":              {"Campo", "Field"},
	"review.comment":            {"Commento per il rilevatore", "Comment for the researcher"},
	"review.whole":              {"(tutta la scheda)", "(whole record)"},
	"review.add":                {"Aggiungi commento", "Add comment"},
	"review.empty.comment":      {"Scrivere il commento, poi premere Aggiungi commento", "Write the comment, then press Add comment"},
	"review.decision":           {"Decisione", "Decision"},
	"review.approve":            {"Approva", "Approve"},
	"review.return":             {"Restituisci con commenti", "Return with comments"},
	"review.needs":              {"Per restituire una scheda scrivere almeno un commento: scegliere il campo, scrivere il commento e premere Aggiungi commento.", "To return a record write at least one comment: choose the field, write the comment and press Add comment."},
	"review.askApprove":         {"La scheda %s sarà approvata: conterà nelle tabelle dei risultati e nelle esportazioni, e la squadra vedrà la decisione alla prossima sincronizzazione.", "Record %s will be approved: it will count in the result tables and the exports, and the team will see the decision at its next sync."},
	"review.askApproveComments": {"Con la decisione sarà inviato anche: %s.", "Sent with the decision: %s."},
	"review.askReturn":          {"La scheda %s sarà restituita alla squadra con %s: il rilevatore la corregge e la invia di nuovo; fino ad allora non conta nei risultati.", "Record %s will be returned to the team with %s: the researcher corrects it and sends it again; until then it does not count in the results."},
	"review.done.approved":      {"Scheda %s approvata", "Record %s approved"},
	"review.done.returned":      {"Scheda %s restituita alla squadra", "Record %s returned to the team"},
	"review.history":            {"Storia della scheda (%d versioni, %d righe)", "Record history (%d versions, %d lines)"},
	"review.comments":           {"Commenti da inviare: %d", "Comments to send: %d"},
	"review.notheld":            {"L'ufficio non dispone del dato", "The office does not hold this datum"},
	"review.note":               {"Nota: %s", "Note: %s"},
	"review.was":                {"Prima: %s", "Before: %s"},
	"review.items":              {"%d voci", "%d items"},
	"review.checks":             {"Controlli sulla scheda", "Checks on the record"},
	"review.changed":            {"Cosa è cambiato dall'ultima revisione", "What changed since the last review"},
	"review.changedSub":         {"Campo: prima → ora", "Field: before → now"},
	"review.nochange":           {"Nessun campo cambiato", "No field changed"},
	"review.about":              {"%s (versione %d) · %s · ultimo salvataggio %s", "%s (version %d) · %s · last saved %s"},
	"review.resubmittedShort":   {"corretta", "corrected"},
	"review.resubmitted":        {"Corretta dopo la restituzione", "Corrected after being returned"},
	"history.work":              {"%s · %s, computer %s · %d salvataggi · %s", "%s · %s, laptop %s · %d saves · %s"},
	"history.sent":              {"%s · inviata per la revisione", "%s · sent for review"},
	"history.sentAgain":         {"%s · inviata di nuovo, corretta dopo la restituzione", "%s · sent again, corrected after being returned"},
	"history.decision":          {"%s · coordinamento: %s, %d commenti", "%s · coordinators: %s, %d comments"},
	"thread.returned":           {"Commento inviato, non ancora letto", "Comment sent, not read yet"},
	"thread.seen":               {"Commento letto dal rilevatore", "Comment read by the researcher"},
	"thread.corrected":          {"Corretto dal rilevatore", "Corrected by the researcher"},
	"thread.resubmitted":        {"Corretto e inviato di nuovo", "Corrected and sent again"},
	"thread.approved":           {"Chiuso con l'approvazione", "Closed by the approval"},
	"thread.coord":              {"Coordinamento", "Coordinators"},
	"thread.reply":              {"Risposta del rilevatore", "Researcher's reply"},
	"menu.go":                   {"Vai", "Go"},
	"review.oneComment":         {"1 commento", "1 comment"},
	"review.nComments":          {"%d commenti", "%d comments"},
	"key.import":                {"Importa la chiave del progetto…", "Import the project key…"},
	"key.ask":                   {"Frase segreta del file %s (comunicata dall'altro coordinatore per un'altra via):", "Passphrase of the file %s (given by the other coordinator another way):"},
	"key.do":                    {"Importa", "Import"},
	"key.done":                  {"Chiave del progetto importata: scaricare dal server per leggere le schede", "Project key imported: download from the server to read the records"},
	"cancel":                    {"Annulla", "Cancel"},
	"quality.all":               {"Tutti i comuni", "All municipalities"},
	"quality.field":             {"Campo", "Field"},
	"quality.applic":            {"Applicabili", "Applicable"},
	"quality.missing":           {"Mancanti", "Missing"},
	"quality.notheld":           {"Non disponibili", "Not held"},
	"quality.errors":            {"Errori", "Errors"},
	"quality.notes":             {"Note", "Notes"},
	"quality.report":            {"Apri rapporto (HTML)…", "Open report (HTML)…"},
	"quality.saved":             {"Rapporto scritto in %s: aprirlo con un browser per stamparlo o salvarlo in PDF", "Report written to %s: open it in a browser to print it or save it as PDF"},
	"quality.grid":              {"Scheda Comune: dichiarazioni discordanti con le schede: %d su %d", "Scheda Comune: declarations at odds with the records: %d of %d"},
	"results.threshold":         {"Soglia di protezione (celle minori oscurate)", "Protection threshold (smaller cells hidden)"},
	"results.table":             {"Tabella", "Table"},
	"results.total":             {"Totale", "Total"},
	"results.states":            {"Schede contate", "Records counted"},
	"results.approved":          {"Solo approvate", "Approved only"},
	"results.all":               {"Tutti gli stati (uso interno)", "Every state (internal use)"},
	"results.scopeApproved":     {"Le tabelle contano le %d schede minore approvate, su %d ricevute.", "The tables count the %d approved case records, of %d received."},
	"results.scopeAll":          {"Le tabelle contano tutte le %d schede minore ricevute, in ogni stato: bozze, da rivedere e restituite comprese. Solo per uso interno.", "The tables count all %d case records received, in every state: drafts, records to review and returned ones included. Internal use only."},
	"results.bad":               {"La soglia deve essere un numero intero da 1 a 100", "The threshold must be a whole number from 1 to 100"},
	"export.format":             {"Formato", "Format"},
	"export.all":                {"Includi le schede non ancora approvate (solo per uso interno)", "Include records not yet approved (internal use only)"},
	"export.operator":           {"Codice fiscale dell'operatore (flussi SINBA)", "Operator's codice fiscale (SINBA flows)"},
	"export.choose":             {"Scegli la cartella ed esporta…", "Choose the folder and export…"},
	"export.done":               {"Schede esportate: %d · file: %d · cartella: %s", "Records exported: %d · files: %d · folder: %s"},
	"export.refused":            {"Schede escluse dai flussi SINBA per errori: %d (vedere il manifest)", "Records left out of the SINBA flows for errors: %d (see the manifest)"},
	"export.note":               {"Ogni esportazione è registrata nel registro cifrato dell'archivio.", "Every export is logged in the store's encrypted audit trail."},
	"error":                     {"Errore", "Error"},
	"title":                     {"Coordinamento", "Coordinators"},
	"unlock.title":              {"Apri il profilo di coordinamento", "Open the coordinator profile"},
	"unlock.intro":              {"L'archivio del coordinamento custodisce la chiave del progetto e le schede decifrate: si apre con la sua frase segreta.", "The coordinators' store keeps the project key and the decrypted records: it opens with its passphrase."},
	"unlock.passphrase":         {"Frase segreta", "Passphrase"},
	"unlock.open":               {"Apri", "Open"},
	"unlock.working":            {"Apertura in corso…", "Opening…"},
	"first.title":               {"Nuovo profilo di coordinamento", "New coordinator profile"},
	"first.intro":               {"Su questo computer non c'è ancora un profilo di coordinamento (cartella %s). Il profilo custodisce la chiave del progetto e le schede decifrate, cifrate con una frase segreta: sceglierla ora. Servirà per aprire il profilo ogni volta.", "This computer has no coordinator profile yet (folder %s). The profile keeps the project key and the decrypted records, encrypted with a passphrase: choose it now. It opens the profile every time."},
	"first.create":              {"Crea il profilo", "Create the profile"},
	"first.working":             {"Creazione del profilo cifrato…", "Creating the encrypted profile…"},
	"first.continue":            {"Continua", "Continue"},
	"first.enrolTitle":          {"Iscrizione al server", "Enrolment with the server"},
	"first.enrolIntro":          {"Scrivere l'indirizzo del server e il codice di coordinamento ricevuto dall'amministratore del server. Un codice per un nuovo progetto crea il progetto: la sua chiave e il segreto dei codici pseudonimi nascono su questo computer, e il server ne riceve solo la parte pubblica. Un codice per un progetto esistente chiede poi il file della chiave del progetto, da un altro coordinatore.", "Type the server's address and the coordinator code from the server's administrator. A code for a new project creates the project: its key and the pseudonym secret are made on this computer, and the server receives only their public part. A code for an existing project then asks for the project key file, from another coordinator."},
	"first.server":              {"Indirizzo del server", "Server address"},
	"first.code":                {"Codice di coordinamento", "Coordinator code"},
	"first.codeHint":            {"Il codice monouso ricevuto", "The one-time code received"},
	"first.kind":                {"Progetto", "Project"},
	"first.new":                 {"Nuovo progetto: la chiave si crea qui", "New project: the key is made here"},
	"first.join":                {"Progetto esistente: ho il file della chiave", "Existing project: I have the key file"},
	"first.enrol":               {"Iscrivi", "Enrol"},
	"first.enrolling":           {"Iscrizione in corso…", "Enrolling…"},
	"first.createdTitle":        {"Progetto creato", "Project created"},
	"first.created":             {"Progetto %s creato su questo computer: la chiave del progetto e il segreto dei codici pseudonimi sono in questo profilo, e il server ne ha solo la parte pubblica. Esportarne subito una copia (scheda Progetto, Esporta la chiave per un altro coordinatore) e conservarla al sicuro: senza la chiave nessuno può leggere le schede.", "Project %s created on this computer: the project key and the pseudonym secret are in this profile, and the server holds only their public part. Export a copy now (Project tab, Export the key for another coordinator) and keep it safe: without the key nobody can read the records."},
	"first.createdInstead":      {"Il codice era per un nuovo progetto, non per uno esistente.", "The code was for a new project, not an existing one."},
	"first.joinedInstead":       {"Il codice era per un progetto esistente: la chiave va importata.", "The code was for an existing project: its key must be imported."},
	"first.open":                {"Apri il coordinamento", "Open the workspace"},
	"first.keyTitle":            {"Chiave del progetto", "Project key"},
	"first.keyIntro":            {"Iscritto al progetto %s. Per leggere le schede serve la chiave del progetto: scegliere il file ricevuto da un altro coordinatore e scrivere la sua frase segreta, comunicata per un'altra via.", "Enrolled in project %s. Reading the records needs the project key: choose the file received from another coordinator and type its passphrase, given another way."},
	"first.keyFile":             {"File della chiave", "Key file"},
	"first.noFile":              {"Nessun file scelto", "No file chosen"},
	"first.chooseKey":           {"Scegli il file…", "Choose the file…"},
	"first.keyPass":             {"Frase segreta del file", "The file's passphrase"},
	"first.import":              {"Importa la chiave", "Import the key"},
	"first.importing":           {"Importazione della chiave…", "Importing the key…"},
	"first.fileNeeded":          {"Scegliere prima il file della chiave", "Choose the key file first"},
	"first.later":               {"Più tardi", "Later"},

	"project.teams":                {"Squadre", "Teams"},
	"project.teamRow":              {"%s · rilevatori: %d · comuni: %d", "%s · researchers: %d · municipalities: %d"},
	"project.pick":                 {"Scegliere una squadra dall'elenco, o crearne una nuova", "Choose a team from the list, or create a new one"},
	"project.teamName":             {"Nome della nuova squadra", "Name of the new team"},
	"project.addTeam":              {"Crea squadra", "Create team"},
	"project.teamNameNeeded":       {"Scrivere il nome della squadra, poi premere Crea squadra", "Write the team's name, then press Create team"},
	"project.teamAdded":            {"Squadra %s creata: ora aggiungere i rilevatori e i comuni", "Team %s created: now add its researchers and municipalities"},
	"project.teamsFailed":          {"Elenco delle squadre non aggiornato: %s", "Team list not updated: %s"},
	"project.researchers":          {"Rilevatori", "Researchers"},
	"project.noResearchers":        {"Nessun rilevatore", "No researcher"},
	"project.researcherName":       {"Nome e cognome del rilevatore", "Researcher's full name"},
	"project.addResearcher":        {"Aggiungi rilevatore", "Add researcher"},
	"project.researcherNameNeeded": {"Scrivere il nome del rilevatore, poi premere Aggiungi rilevatore", "Write the researcher's name, then press Add researcher"},
	"project.researcherAdded":      {"%s aggiunto alla squadra %s: creare il codice di iscrizione per il suo computer", "%s added to team %s: make the enrolment code for their laptop"},
	"project.code":                 {"Codice di iscrizione", "Enrolment code"},
	"project.codeFor":              {"Codice per il computer di %s, valido una sola volta fino al %s. Comunicarlo al rilevatore, che lo inserisce in sinba all'iscrizione.", "Code for %s's laptop, valid once until %s. Give it to the researcher, who types it into sinba when enrolling."},
	"project.devices":              {"Computer iscritti", "Enrolled laptops"},
	"project.devicesNote":          {"La chiave della squadra la consegna solo un rilevatore della squadra, dal suo computer", "Only a researcher of the team hands over the team key, from their laptop"},
	"project.noDevices":            {"Nessun computer iscritto", "No laptop enrolled"},
	"project.deviceRow":            {"%s · %s · iscritto il %s · %s · codice creato da: %s", "%s · %s · enrolled on %s · %s · code made by: %s"},
	"project.deviceByAdmin":        {"amministratore del server", "server administrator"},
	"project.deviceByCoordinator":  {"COORDINATORE %s", "COORDINATOR %s"},
	"project.deviceHasKey":         {"ha la chiave della squadra", "holds the team key"},
	"project.deviceWaiting":        {"in attesa della conferma di un rilevatore", "waiting for a researcher's confirmation"},
	"project.deviceRevoked":        {"revocato", "revoked"},
	"project.municipalities":       {"Comuni assegnati", "Assigned municipalities"},
	"project.noMunicipalities":     {"Nessun comune assegnato", "No municipality assigned"},
	"project.search":               {"Cerca un comune per nome o codice ISTAT", "Search a municipality by name or ISTAT code"},
	"project.assign":               {"Assegna alla squadra", "Assign to the team"},
	"project.pickMunicipality":     {"Cercare un comune e sceglierlo dall'elenco, poi premere Assegna alla squadra", "Search a municipality and choose it from the list, then press Assign to the team"},
	"project.assigned":             {"%s assegnato alla squadra %s", "%s assigned to team %s"},
	"project.unassign":             {"Togli", "Remove"},
	"project.unassignAsk":          {"Togliere %s alla squadra %s? I suoi computer non potranno più creare schede per quel comune.", "Take %s away from team %s? Its laptops will no longer create records for that municipality."},
	"project.unassigned":           {"%s tolto alla squadra %s", "%s taken away from team %s"},
	"project.publish":              {"Pubblica nuova versione di uno strumento…", "Publish a new instrument version…"},
	"project.published":            {"Pubblicato %s versione %d: i computer la ricevono alla prossima sincronizzazione", "Published %s version %d: the laptops receive it at their next sync"},
	"project.publishRefused":       {"Il server ha rifiutato %s: %s. Correggere il file e pubblicarlo di nuovo.", "The server refused %s: %s. Correct the file and publish it again."},
	"project.readFailed":           {"Impossibile leggere %s: sceglierne una copia su questo computer", "Cannot read %s: choose a copy on this computer"},
	"project.exportKey":            {"Esporta la chiave per un altro coordinatore…", "Export the key for another coordinator…"},
	"project.keyIntro":             {"Il file della chiave è cifrato con questa frase segreta: inviare il file e comunicare la frase per un'altra via (telefono, di persona).", "The key file is encrypted with this passphrase: send the file and give the passphrase another way (phone, in person)."},
	"project.keyPass":              {"Frase segreta", "Passphrase"},
	"project.keyPassAgain":         {"Ripetere la frase", "Repeat the passphrase"},
	"project.keyWrite":             {"Scegli dove salvare…", "Choose where to save…"},
	"project.cancel":               {"Annulla", "Cancel"},
	"project.keyMismatch":          {"Le due frasi segrete non coincidono: la chiave non è stata esportata. Scriverle di nuovo uguali.", "The two passphrases differ: the key was not exported. Type them again, the same."},
	"project.keyShort":             {"La frase segreta è troppo corta: la chiave non è stata esportata. Usarne una di almeno %d caratteri.", "The passphrase is too short: the key was not exported. Use one of at least %d characters."},
	"project.keyWritten":           {"Chiave del progetto scritta in %s: l'altro coordinatore la importa con la frase segreta", "Project key written to %s: the other coordinator imports it with the passphrase"},
	"project.keyWriteFailed":       {"Impossibile scrivere %s: scegliere un'altra cartella", "Cannot write %s: choose another folder"},
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
	// A refusal from the server carries a message for people beside a code
	// for programs: the person reads only the message.
	var refusal interface{ Message(language string) string }
	if errors.As(err, &refusal) {
		return refusal.Message(w.lang)
	}
	it, en, ok := strings.Cut(err.Error(), " / ")
	if !ok {
		return err.Error()
	}
	if w.lang == "en" {
		return en
	}
	return it
}
