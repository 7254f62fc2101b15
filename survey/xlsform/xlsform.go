// Package xlsform reads and writes an instrument (survey.Instrument) as a
// workbook that follows XLSForm's conventions where they fit: a sheet
// "survey" with a row per question and begin/end rows for sections and
// repeat groups, a sheet "choices" with the code lists, a sheet "settings"
// with the instrument's id, version and title; and sheets of its own for
// what XLSForm lacks, "rules" and "migrations". README.md in this folder is
// the methodologist's guide, with the column reference and an example.
//
// Reading checks everything survey.ParseInstrument checks, and says where a
// problem is: each Error names the sheet, row and column of its cell, in
// Italian and English. Expressions are compiled cell by cell, so an unknown
// name in a relevant column is reported at that cell. Writing and reading
// back an instrument gives the same instrument: the JSON of both is equal.
package xlsform

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"sinba/survey"
)

// The sheets of a workbook.
const (
	SheetSurvey     = "survey"
	SheetChoices    = "choices"
	SheetSettings   = "settings"
	SheetRules      = "rules"
	SheetMigrations = "migrations"
)

// Error is one thing wrong in a workbook, at the cell where it is.
type Error struct {
	Sheet  string // the sheet's name as the workbook has it ("survey"); "" for the file as a whole
	Row    int    // 1-based, as the spreadsheet numbers rows; 0 for the sheet as a whole
	Column string // the column's header, "relevant"; "" for the whole row
	Cell   string // "C14"; "" when the row or the column is not known
	// Message says what is wrong, Italian first, English second.
	Message survey.Text
}

// Where is "survey!C14", "survey!14", "survey" or "" for the file.
func (e *Error) Where() string {
	switch {
	case e.Sheet == "":
		return ""
	case e.Cell != "":
		return e.Sheet + "!" + e.Cell
	case e.Row > 0:
		return fmt.Sprintf("%s!%d", e.Sheet, e.Row)
	}
	return e.Sheet
}

// Error is "survey!C14: relevant: <Italian> / <English>".
func (e *Error) Error() string {
	var b strings.Builder
	if w := e.Where(); w != "" {
		b.WriteString(w)
		b.WriteString(": ")
	}
	if e.Column != "" {
		b.WriteString(e.Column)
		b.WriteString(": ")
	}
	b.WriteString(e.Message.IT)
	if e.Message.EN != "" && e.Message.EN != e.Message.IT {
		b.WriteString(" / ")
		b.WriteString(e.Message.EN)
	}
	return b.String()
}

// Errors is every problem found in a workbook, in sheet and row order. Read
// returns it (never empty) when the workbook is not a valid instrument.
type Errors []*Error

// Error lists the problems one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Message lists the problems in language ("en", else Italian), one a line,
// for a screen that shows one language (see survey.ErrorText).
func (es Errors) Message(language string) string {
	lines := make([]string, len(es))
	for i, e := range es {
		var b strings.Builder
		if w := e.Where(); w != "" {
			b.WriteString(w + ": ")
		}
		if e.Column != "" {
			b.WriteString(e.Column + ": ")
		}
		b.WriteString(e.Message.In(language))
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}

// maxFile bounds the workbook Read accepts: an instrument is a few hundred
// rows, well under a megabyte; the limits of the unzipped parts keep a
// crafted archive from taking the machine's memory.
const (
	maxFile     = 16 << 20
	maxUnzipped = 128 << 20
	maxXMLPart  = 32 << 20
)

// Read reads an instrument from a workbook and checks it as
// survey.ParseInstrument does, against the reference lists of ref (which may
// be nil only for an instrument without lookup questions). A workbook that is
// not a valid instrument gives Errors, each located at its cell.
func Read(r io.Reader, ref *survey.Reference) (*survey.Instrument, error) {
	in, _, err := ReadLocated(r, ref)
	return in, err
}

// ReadLocated is Read, and says where each question of the workbook is, for
// problems found after reading: at(id) is the name cell of question id (a
// top-level id, or group.item), "survey!B14"; "" when there is none.
func ReadLocated(r io.Reader, ref *survey.Reference) (in *survey.Instrument, at func(id string) string, err error) {
	at = func(string) string { return "" }
	data, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return nil, at, Errors{{Message: survey.Text{
			IT: "file non leggibile: " + err.Error(), EN: "cannot read the file: " + err.Error()}}}
	}
	if len(data) > maxFile {
		return nil, at, Errors{{Message: survey.Text{
			IT: fmt.Sprintf("file troppo grande (più di %d MiB): non è uno strumento", maxFile>>20),
			EN: fmt.Sprintf("file too large (over %d MiB): not an instrument", maxFile>>20)}}}
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxXMLPart})
	if err != nil {
		return nil, at, Errors{{Message: survey.Text{
			IT: "il file non è una cartella di lavoro .xlsx leggibile: " + err.Error(),
			EN: "the file is not a readable .xlsx workbook: " + err.Error()}}}
	}
	defer wb.Close()
	in, rd, err := readWorkbook(wb, ref)
	if rd != nil {
		at = rd.questionCell
	}
	return in, at, err
}

// ReadFile reads the workbook at path (see Read).
func ReadFile(path string, ref *survey.Reference) (*survey.Instrument, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("file non leggibile / cannot read the file: %w", err)
	}
	defer f.Close()
	return Read(f, ref)
}

// Write writes in as a workbook. in is a parsed instrument (see
// survey.ParseInstrument); reading the workbook back gives it again.
func Write(w io.Writer, in *survey.Instrument) error {
	wb, err := buildWorkbook(in)
	if err != nil {
		return err
	}
	defer wb.Close()
	_, err = wb.WriteTo(w)
	return err
}

// WriteFile writes in as a workbook at path, replacing it only once the
// whole workbook is written.
func WriteFile(path string, in *survey.Instrument) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".xlsform-*.xlsx")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := Write(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
