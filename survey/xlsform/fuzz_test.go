package xlsform

import (
	"bytes"
	"errors"
	"testing"

	"github.com/xuri/excelize/v2"
)

// checkRead is what holds for any input: Read does not panic; a refusal is
// a list of bilingual errors; an accepted workbook is an instrument that
// writes and reads back to the same canonical JSON.
func checkRead(t *testing.T, data []byte) {
	ref := reference(t)
	in, err := Read(bytes.NewReader(data), ref)
	if err != nil {
		var es Errors
		if !errors.As(err, &es) || len(es) == 0 || len(es) > maxErrors+1 {
			t.Fatalf("error of type %T, %d errors: %v", err, len(es), err)
		}
		for _, e := range es {
			if e.Message.IT == "" || e.Message.EN == "" {
				t.Fatalf("error not bilingual: %#v", e)
			}
		}
		return
	}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatalf("accepted, but not written: %v", err)
	}
	back, err := Read(&buf, ref)
	if err != nil {
		t.Fatalf("written, but not read back: %v", err)
	}
	if a, b := canonical(t, in), canonical(t, back); !bytes.Equal(a, b) {
		t.Fatalf("round trip differs: %s", firstDiff(a, b))
	}
}

// FuzzRead reads arbitrary bytes as a workbook.
func FuzzRead(f *testing.F) {
	f.Add(workbook(f, parse(f, everyColumn)))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(checkRead)
}

// FuzzReadCell changes one cell of a valid workbook: bytes fuzzed as a
// whole rarely make a zip archive, so this reaches the reader's checks.
func FuzzReadCell(f *testing.F) {
	base := workbook(f, parse(f, everyColumn))
	f.Add(uint8(0), uint16(2), uint8(0), "end group")
	f.Add(uint8(0), uint16(13), uint8(9), "Cosa != '' && Peso > 1")
	f.Add(uint8(0), uint16(4), uint8(7), "Nome == ''")
	f.Add(uint8(0), uint16(21), uint8(0), "begin repeat")
	f.Add(uint8(1), uint16(3), uint8(4), "yes")
	f.Add(uint8(2), uint16(2), uint8(1), "2")
	f.Add(uint8(3), uint16(3), uint8(3), "")
	f.Add(uint8(4), uint16(10), uint8(4), `["1"]`)
	f.Add(uint8(4), uint16(14), uint8(0), "1")
	sheets := []string{SheetSurvey, SheetChoices, SheetSettings, SheetRules, SheetMigrations}
	f.Fuzz(func(t *testing.T, sheet uint8, r uint16, c uint8, v string) {
		wb, err := openWorkbook(base)
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		cell, err := excelize.CoordinatesToCellName(int(c%24)+1, int(r%64)+1)
		if err != nil {
			t.Fatal(err)
		}
		if wb.SetCellStr(sheets[int(sheet)%len(sheets)], cell, v) != nil {
			return // a text Excel refuses, longer than a cell takes
		}
		var buf bytes.Buffer
		if _, err := wb.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		checkRead(t, buf.Bytes())
	})
}
