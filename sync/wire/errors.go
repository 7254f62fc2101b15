package wire

import (
	"fmt"
	"net/http"
)

// Error is a refusal, as the server sends it: a stable code for programs and
// a message for people, Italian first. Internal error text never goes here.
type Error struct {
	Code      string `json:"code"`
	MessageIT string `json:"message_it"`
	MessageEN string `json:"message_en"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s / %s", e.Code, e.MessageIT, e.MessageEN)
}

// Message is the message for people in language ("en", else Italian),
// without the code, which is for programs.
func (e *Error) Message(language string) string {
	if language == "en" {
		return e.MessageEN
	}
	return e.MessageIT
}

// Refusal codes. Each names one reason; the server maps it once to an HTTP
// status with Status.
const (
	CodeInvalid            = "invalid_request"
	CodeTooLarge           = "too_large"
	CodeTooManyRecords     = "too_many_records"
	CodeUnsupportedVersion = "unsupported_version"
	CodeUnauthenticated    = "unauthenticated"
	CodeBadSignature       = "bad_signature"
	CodeClockSkew          = "clock_skew"
	CodeReplay             = "replay"
	CodeRevoked            = "device_revoked"
	CodeRateLimited        = "rate_limited"
	CodeOverloaded         = "overloaded"
	CodeCodeInvalid        = "code_invalid"
	CodeCodeExpired        = "code_expired"
	CodeCodeUsed           = "code_used"
	// CodeProjectNotReady refuses a laptop code (at minting and at
	// enrolment) while the project has no pseudonym secret: the coordinators
	// set the project up first, so every laptop can compute pseudonyms.
	CodeProjectNotReady = "project_not_ready"
	CodeNotFound        = "not_found"
	CodeConflict        = "conflict"
	CodeInternal        = "internal"

	// Per revision, inside a receipt.
	CodeInvalidRevision   = "invalid_revision"
	CodeNotAssigned       = "not_assigned"
	CodeUnknownInstrument = "unknown_instrument"
	CodeOtherTeam         = "other_team"
	CodeRevisionReused    = "revision_reused"
	// CodeReviewDecision refuses a laptop's revision whose status is a
	// review decision (approved, returned): only coordinators decide.
	CodeReviewDecision = "review_decision"
	CodeQuotaExceeded  = "quota_exceeded"
)

var messages = map[string][2]string{
	CodeInvalid:            {"richiesta non valida", "invalid request"},
	CodeTooLarge:           {"richiesta troppo grande: il programma la dividerà in lotti più piccoli", "request too large: the program will split it into smaller batches"},
	CodeTooManyRecords:     {"troppe schede in un lotto", "too many records in one batch"},
	CodeUnsupportedVersion: {"versione del protocollo non supportata: aggiornare il programma", "unsupported protocol version: update the program"},
	CodeUnauthenticated:    {"dispositivo non riconosciuto: ripetere l'iscrizione con un nuovo codice", "device not recognised: enrol again with a new code"},
	CodeBadSignature:       {"firma della richiesta non valida", "invalid request signature"},
	CodeClockSkew:          {"l'orologio del computer è sbagliato: correggere data e ora", "the computer's clock is wrong: correct the date and time"},
	CodeReplay:             {"richiesta già ricevuta", "request already received"},
	CodeRevoked:            {"questo computer è stato revocato dal coordinamento", "this computer has been revoked by the coordinators"},
	CodeRateLimited:        {"troppe richieste: nuovo tentativo tra poco", "too many requests: retrying shortly"},
	CodeOverloaded:         {"il server è occupato: nuovo tentativo tra poco", "the server is busy: retrying shortly"},
	CodeCodeInvalid:        {"codice di iscrizione non valido per questo server: controllare l'indirizzo del server e il codice ricevuto dal coordinamento, poi riprovare", "enrolment code not valid on this server: check the server address and the code you received from the coordinators, then try again"},
	CodeCodeExpired:        {"codice di iscrizione scaduto: chiederne uno nuovo al coordinamento", "enrolment code expired: ask the coordinators for a new one"},
	CodeCodeUsed:           {"codice di iscrizione già usato: chiederne uno nuovo al coordinamento", "enrolment code already used: ask the coordinators for a new one"},
	CodeProjectNotReady: {"il progetto non è ancora pronto per i computer dei rilevatori: il coordinamento deve prima creare la chiave del progetto e il segreto dei codici pseudonimi (nell'app del coordinamento, o con \"sinba coord sync\" dopo aver importato la chiave); poi chiedere un nuovo codice",
		"the project is not ready for the researchers' laptops yet: the coordinators must first create the project key and the pseudonym secret (in the coordinators' app, or with \"sinba coord sync\" after importing the key); then ask for a new code"},
	CodeNotFound:          {"non trovato", "not found"},
	CodeConflict:          {"conflitto con lo stato del server: nuovo tentativo", "conflict with the server's state: retrying"},
	CodeInternal:          {"errore interno del server: riprovare più tardi", "internal server error: try again later"},
	CodeInvalidRevision:   {"scheda non valida", "invalid record"},
	CodeNotAssigned:       {"comune non assegnato alla squadra", "municipality not assigned to the team"},
	CodeUnknownInstrument: {"strumento o versione non pubblicati", "instrument or version not published"},
	CodeOtherTeam:         {"la scheda appartiene a un'altra squadra", "the record belongs to another team"},
	CodeRevisionReused:    {"identificativo di versione già usato per un'altra scheda", "revision id already used for another record"},
	CodeReviewDecision: {"solo il coordinamento approva o restituisce una scheda: questa versione non è stata accettata; la scheda resta sul computer, finalizzarla per inviarla alla revisione",
		"only the coordinators approve or return a record: this version was not accepted; the record stays on the laptop, finalise it to send it for review"},
	CodeQuotaExceeded: {"spazio sul server esaurito per questo computer: la scheda resta sul computer; avvisare il coordinamento",
		"this computer's storage on the server is used up: the record stays on this computer; tell the coordinators"},
}

// NewError returns the refusal for code with its standard messages.
func NewError(code string) *Error {
	m, ok := messages[code]
	if !ok {
		m = messages[CodeInternal]
	}
	return &Error{Code: code, MessageIT: m[0], MessageEN: m[1]}
}

// Errorf returns the refusal for code with a more precise message.
func Errorf(code, it, en string) *Error {
	return &Error{Code: code, MessageIT: it, MessageEN: en}
}

// Status is the HTTP status that carries code.
func Status(code string) int {
	switch code {
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnauthenticated, CodeBadSignature, CodeClockSkew, CodeReplay, CodeRevoked:
		return http.StatusUnauthorized
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeOverloaded:
		return http.StatusServiceUnavailable
	case CodeCodeInvalid, CodeCodeExpired, CodeCodeUsed, CodeCoordinatorOnly, CodeLaptopOnly, CodeProjectNotReady:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeConflict:
		return http.StatusConflict
	case CodeInternal:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// Retryable reports whether a revision refused with code may be accepted
// later without changing it (a coordinator publishes the instrument,
// assigns the municipality or raises a quota), so the laptop keeps it in its
// outbox.
func Retryable(code string) bool {
	return code == CodeNotAssigned || code == CodeUnknownInstrument || code == CodeQuotaExceeded
}
