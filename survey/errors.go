package survey

import (
	"errors"
	"fmt"
	"strings"
)

// Error is an error a person reads: what happened and what to do, in Italian
// and in English. Screens show the half in their language (Message); a
// terminal or a log shows both (Error). Compare with errors.Is and errors.As
// as with any error; Unwrap gives the cause, when there is one.
type Error struct {
	Text
	cause error
}

// NewError returns an error with a fixed message.
func NewError(it, en string) *Error { return &Error{Text: Text{IT: it, EN: en}} }

// Errorf formats a message in both languages with the same arguments. An
// argument that is itself bilingual (a Text, an *Error, or any error with a
// Message(language) method, such as the server's refusals) gives each
// language its own half; %w wraps an argument as fmt.Errorf does, so
// errors.Is and errors.As see through it.
func Errorf(it, en string, args ...any) *Error {
	e := &Error{}
	if strings.Contains(it, "%w") || strings.Contains(en, "%w") {
		e.cause = errors.Unwrap(fmt.Errorf(it, args...))
	}
	e.IT = fmt.Sprintf(strings.ReplaceAll(it, "%w", "%v"), inLanguage(args, "it")...)
	e.EN = fmt.Sprintf(strings.ReplaceAll(en, "%w", "%v"), inLanguage(args, "en")...)
	return e
}

// Error is the message in both languages, "Italiano / English".
func (e *Error) Error() string {
	if e.EN == "" || e.EN == e.IT {
		return e.IT
	}
	return e.IT + " / " + e.EN
}

// Message is the message in language ("en", else Italian).
func (e *Error) Message(language string) string { return e.In(language) }

// Wrapping returns e with cause as its cause, for errors.Is and errors.As;
// the message stays e's.
func (e *Error) Wrapping(cause error) *Error {
	e.cause = cause
	return e
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.cause }

// bilingual is what a message for people in two languages offers.
type bilingual interface{ Message(language string) string }

func inLanguage(args []any, lang string) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch b := a.(type) {
		case Text:
			out[i] = b.In(lang)
		case bilingual:
			out[i] = b.Message(lang)
		default:
			out[i] = a
		}
	}
	return out
}

// ErrorText is what a person reading language is told about err: the message
// of the outermost bilingual error it holds (whatever wraps it adds only
// context for logs), or else err's own text.
func ErrorText(err error, language string) string {
	if err == nil {
		return ""
	}
	var b bilingual
	if errors.As(err, &b) {
		return b.Message(language)
	}
	return err.Error()
}
