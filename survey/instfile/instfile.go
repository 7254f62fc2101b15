// Package instfile reads the instrument files a coordinator proposes for
// publication (JSON or a spreadsheet, by the file's extension), checks them
// as the laptops will read them, locates every problem in the file (a cell
// of the workbook, a line and column of the JSON), gives the canonical JSON
// a version is published as, and sets a version against those held before
// it. It all happens on the coordinator's computer; publishing is
// sync/coord's.
package instfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sinba/survey"
	"sinba/survey/instdiff"
	"sinba/survey/xlsform"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Problem is one thing wrong in an instrument file, with where it is.
type Problem struct {
	// Where is the place in the file: "survey!C14" in a spreadsheet,
	// "riga 12, colonna 5" in JSON; empty when the problem is the whole
	// definition's.
	Where   string
	Message survey.Text
}

// String is the problem on one line, Italian then English.
func (p Problem) String() string {
	s := p.Message.IT
	if p.Message.EN != "" && p.Message.EN != p.Message.IT {
		s += " / " + p.Message.EN
	}
	if p.Where != "" {
		s = p.Where + ": " + s
	}
	return s
}

// InvalidError is an instrument file that does not check: every problem
// found, each where it is.
type InvalidError struct {
	Name     string
	Problems []Problem
}

// Message is the error in one language ("it" or "en"), as survey.ErrorText
// reads it.
func (e *InvalidError) Message(language string) string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Message.In(language)
		if p.Where != "" {
			it, en, ok := strings.Cut(p.Where, " / ")
			if ok && language == "en" {
				it = en
			}
			lines[i] = it + ": " + lines[i]
		}
	}
	if language == "en" {
		return fmt.Sprintf("%s is not a valid definition: %s", e.Name, strings.Join(lines, "; "))
	}
	return fmt.Sprintf("%s non è una definizione valida: %s", e.Name, strings.Join(lines, "; "))
}

func (e *InvalidError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%s non è una definizione valida / is not a valid definition: %s", e.Name, strings.Join(lines, "; "))
}

// Read reads an instrument definition from the content of a file
// called name, JSON or spreadsheet by its extension, and checks it as the
// laptops will read it. What is wrong is an *InvalidError.
func Read(name string, data []byte, ref *survey.Reference) (*survey.Instrument, error) {
	var in *survey.Instrument
	var err error
	at := func(id string) string { return questionAt(data, strings.Split(id, ".")) }
	if strings.ToLower(filepath.Ext(name)) == ".xlsx" {
		in, at, err = readSpreadsheet(name, data, ref)
	} else {
		in, err = readJSON(name, data, ref)
	}
	if err != nil {
		return nil, err
	}
	if fps := survey.SINBAFieldProblems(in); len(fps) > 0 {
		// The laptops could read it, but the INPS flow would leave those
		// data out of every record of the version.
		inv := &InvalidError{Name: name}
		for _, fp := range fps {
			p := Problem{Message: fp.Message}
			if fp.Question != "" {
				p.Where = at(fp.Question)
			}
			inv.Problems = append(inv.Problems, p)
		}
		return nil, inv
	}
	return in, nil
}

// questionAt says where in a JSON definition the question of path is (a
// top-level id, or a group's id and its item's): at its "id" value; "" when
// it is not found.
func questionAt(data []byte, path []string) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	prevKey := false // the previous token was the key "id"
	var at int64 = -1
	inObject := []bool{} // per open delimiter: an object, where keys alternate with values
	expectKey := []bool{}
	for len(path) > 0 {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case json.Delim:
			if n := len(expectKey); n > 0 && inObject[n-1] {
				expectKey[n-1] = true // this value is done when the delimiter closes
			}
			switch t {
			case '{':
				inObject, expectKey = append(inObject, true), append(expectKey, true)
			case '[':
				inObject, expectKey = append(inObject, false), append(expectKey, false)
			default:
				inObject, expectKey = inObject[:len(inObject)-1], expectKey[:len(expectKey)-1]
			}
			prevKey = false
			continue
		case string:
			n := len(expectKey)
			if n > 0 && inObject[n-1] && expectKey[n-1] {
				expectKey[n-1] = false
				prevKey = t == "id"
				continue
			}
			if prevKey && t == path[0] {
				at = dec.InputOffset() - int64(len(strconv.Quote(t)))
				path = path[1:]
			}
		}
		if n := len(expectKey); n > 0 && inObject[n-1] {
			expectKey[n-1] = true
		}
		prevKey = false
	}
	if at < 0 {
		return ""
	}
	return lineColumn(data, at)
}

// readJSON reads a JSON definition, its syntax errors located.
func readJSON(name string, data []byte, ref *survey.Reference) (*survey.Instrument, error) {
	in, err := survey.ParseInstrument(data, ref)
	if err == nil {
		return in, nil
	}
	p := Problem{Message: survey.Text{IT: "definizione non valida: " + err.Error(), EN: "invalid definition: " + err.Error()}}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset is just after the character that broke the syntax.
		p.Where = lineColumn(data, syn.Offset-1)
		p.Message = survey.Text{IT: "JSON malformato: qui la sintassi non regge (una virgola, una parentesi o delle virgolette di troppo o mancanti)",
			EN: "malformed JSON: " + syn.Error()}
	case errors.As(err, &typ):
		p.Where = lineColumn(data, typ.Offset-1)
		p.Message = survey.Text{IT: "valore del tipo sbagliato per " + typ.Field + ": " + typ.Value, EN: "value of the wrong type for " + typ.Field + ": " + typ.Value}
	}
	return nil, &InvalidError{Name: name, Problems: []Problem{p}}
}

// lineColumn says where the byte at offset off of data is, as a person
// counts lines and characters.
func lineColumn(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Sprintf("riga %d, colonna %d / line %d, column %d", line, col, line, col)
}

// Canonical is the JSON an instrument is published as: the same for a
// definition read from a spreadsheet and from JSON.
func Canonical(in *survey.Instrument) ([]byte, error) {
	return json.MarshalIndent(in, "", "  ")
}

// Proposal is an instrument version read from a file, checked, and set
// against the version before it, for the coordinator to confirm before it
// is published.
type Proposal struct {
	Instrument *survey.Instrument
	Body       []byte // the canonical JSON, as it is published
	// Previous is the latest version of the instrument below this one that
	// the coordinator holds (built into the app or published); nil for a
	// new instrument. PreviousPublished says whether it was published.
	Previous          *survey.Instrument
	PreviousPublished bool
	Changes           []instdiff.Change
	// AlreadyPublished: this version is published with the same content;
	// there is nothing to send.
	AlreadyPublished bool
}

// Propose sets an instrument version read from a file (Read) against the
// versions reg holds: the latest earlier one is Previous, with the changes
// from it; published says which versions the project has published. A
// version held with other content is an *InvalidError.
func Propose(name string, in *survey.Instrument, reg *survey.Registry, published func(id string, version int) bool) (*Proposal, error) {
	body, err := Canonical(in)
	if err != nil {
		return nil, err
	}
	p := &Proposal{Instrument: in, Body: body}
	isPublished := func(v int) bool { return published != nil && published(in.ID, v) }
	held, err := HeldVersion(name, in, reg)
	if err != nil {
		return nil, err
	}
	p.AlreadyPublished = held && isPublished(in.Version)
	for _, v := range reg.Versions(in.ID) {
		if v < in.Version {
			p.Previous, _ = reg.Get(in.ID, v)
			p.PreviousPublished = isPublished(v)
		}
	}
	if p.Previous != nil {
		p.Changes = instdiff.Diff(p.Previous, in)
	}
	return p, nil
}

// HeldVersion says whether reg holds the version of in, and then with the
// same content; a version held with other content is an *InvalidError,
// since records rely on a version never changing.
func HeldVersion(name string, in *survey.Instrument, reg *survey.Registry) (bool, error) {
	held, ok := reg.Get(in.ID, in.Version)
	if !ok {
		return false, nil
	}
	hb, err := Canonical(held)
	if err != nil {
		return false, err
	}
	body, err := Canonical(in)
	if err != nil {
		return false, err
	}
	if !bytes.Equal(hb, body) {
		next := reg.Versions(in.ID)
		v := next[len(next)-1] + 1
		return true, &InvalidError{Name: name, Problems: []Problem{{Message: survey.Text{
			IT: fmt.Sprintf("la versione %d di %s esiste già con un altro contenuto: una versione non cambia mai, dare al file la versione %d", in.Version, in.ID, v),
			EN: fmt.Sprintf("version %d of %s already exists with other content: a version never changes, give the file version %d", in.Version, in.ID, v)}}}}
	}
	return true, nil
}

// readSpreadsheet reads a workbook, its problems located at their cells; at
// says where each question is.
func readSpreadsheet(name string, data []byte, ref *survey.Reference) (in *survey.Instrument, at func(id string) string, err error) {
	in, at, err = xlsform.ReadLocated(bytes.NewReader(data), ref)
	var es xlsform.Errors
	if errors.As(err, &es) {
		inv := &InvalidError{Name: name}
		for _, e := range es {
			where := e.Where()
			if e.Column != "" {
				where = strings.TrimPrefix(where+" ("+e.Column+")", " ")
			}
			inv.Problems = append(inv.Problems, Problem{Where: where, Message: e.Message})
		}
		return nil, at, inv
	}
	return in, at, err
}
