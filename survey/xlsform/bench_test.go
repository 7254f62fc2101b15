package xlsform

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkRead reads the case record's workbook: what checking or
// publishing a spreadsheet costs.
func BenchmarkRead(b *testing.B) {
	in := shipped(b)["scheda-minore.v2.json"]
	wb := workbook(b, in)
	ref := reference(b)
	b.SetBytes(int64(len(wb)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Read(bytes.NewReader(wb), ref); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWrite writes the case record as a workbook.
func BenchmarkWrite(b *testing.B) {
	in := shipped(b)["scheda-minore.v2.json"]
	for i := 0; i < b.N; i++ {
		if err := Write(io.Discard, in); err != nil {
			b.Fatal(err)
		}
	}
}
