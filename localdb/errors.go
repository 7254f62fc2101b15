package localdb

import (
	"fmt"
	"strings"

	"sinba/survey"
)

// Errors a person may see. Each says, in Italian and then in English, what
// happened and what to do; compare with errors.Is.
var (
	ErrWrongPassphrase = survey.NewError("passphrase errata: riprova; se l'hai dimenticata, apri l'archivio con la chiave di recupero e scegline una nuova",
		"wrong passphrase: try again; if you have forgotten it, open the store with the recovery key and choose a new one")
	ErrWrongRecoveryKey = survey.NewError("la chiave di recupero non apre questo archivio: controlla di usare quella stampata per questa cartella di dati",
		"the recovery key does not open this store: check that it is the one printed for this data folder")
	ErrMalformedRecoveryKey = survey.NewError("chiave di recupero non valida: controlla di averla copiata per intero (gruppi di 4 caratteri, lettere A-Z e cifre 2-7)",
		"malformed recovery key: check that you copied all of it (groups of 4 characters, letters A-Z and digits 2-7)")
	ErrNoStore = survey.NewError("nessun archivio in questa cartella: crealo con \"sinba init\" o scegli la cartella giusta",
		"no store in this folder: create one with \"sinba init\" or choose the right folder")
	ErrStoreExists = survey.NewError("in questa cartella c'è già un archivio: aprilo, oppure scegli una cartella vuota",
		"this folder already holds a store: open it, or choose an empty folder")
	ErrLocked = survey.NewError("l'archivio è bloccato: inserisci la passphrase per riaprirlo",
		"the store is locked: enter the passphrase to open it again")
	ErrNotFound     = survey.NewError("non trovato", "not found")
	ErrSchemaTooNew = survey.NewError("l'archivio è stato scritto da una versione più recente di sinba: aggiorna l'applicazione prima di aprirlo",
		"the store was written by a newer version of sinba: update the application before opening it")
	ErrBadKeyFile = survey.NewError("i dati della chiave sono danneggiati o alterati: apri una copia di backup",
		"the key material is damaged or altered: open a backup copy")
	ErrTampered = survey.NewError("dati danneggiati o alterati: questa voce non si può leggere, il resto dell'archivio è intatto; ripristinala da un backup o dal server",
		"damaged or altered data: this entry cannot be read, the rest of the store is intact; restore it from a backup or from the server")
	ErrDiskFull = survey.NewError("disco pieno: il salvataggio non è riuscito, ma nulla di quanto già salvato è perso; libera spazio e salva di nuovo",
		"disk full: the save failed, but nothing already saved is lost; free some space and save again")
	ErrEmptyPassphrase = survey.NewError("la frase segreta è vuota: scegline una di almeno 10 caratteri",
		"the passphrase is empty: choose one of at least 10 characters")
	ErrDecision = survey.NewError("approvare o restituire una scheda spetta al coordinamento: il computer del rilevatore salva bozze e schede finalizzate",
		"approving or returning a record is for the coordinators: a researcher's laptop saves drafts and finalised records")
	ErrNotBackup = survey.NewError("questo file non è un backup di sinba o è danneggiato",
		"this file is not a sinba backup or it is damaged")
)

// TamperError names the entry that failed authentication. It matches
// ErrTampered with errors.Is.
type TamperError struct {
	Table string // "revisions", "records", "audit", ...
	ID    string // the row's key
}

func (e *TamperError) Error() string {
	return fmt.Sprintf("%s (%s %s)", ErrTampered, e.Table, e.ID)
}

func (e *TamperError) Is(target error) bool { return target == ErrTampered }

func tampered(table, id string) error { return &TamperError{Table: table, ID: id} }

// dbError turns SQLite's "full" conditions into ErrDiskFull so the user is
// told what to do; other errors pass through with context.
func dbError(op string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "SQLITE_FULL") || strings.Contains(msg, "database or disk is full") ||
		strings.Contains(msg, "no space left on device") {
		return fmt.Errorf("%w (%s: %v)", ErrDiskFull, op, err)
	}
	return fmt.Errorf("localdb: %s: %w", op, err)
}
