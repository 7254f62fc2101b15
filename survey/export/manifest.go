package export

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"sinba/survey"
)

// Formats of an export, as the Manifest names them.
const (
	FormatCSV   = "csv"
	FormatSPSS  = "spss"
	FormatStata = "stata"
	FormatXLSX  = "xlsx"
	FormatSINBA = "sinba"
)

// File is one file an export wrote.
type File struct {
	Name   string `json:"name"` // base name, in Manifest.Dir
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
	// Rows counts the data rows of a table, or the records of a flow.
	Rows int `json:"rows"`
}

// Refusal is a record left out of a SINBA flow, with the reasons.
type Refusal struct {
	RecordID     string         `json:"record_id"`
	Municipality string         `json:"municipality"`
	Ente         string         `json:"ente"`
	Issues       []survey.Issue `json:"issues"`
}

// Omission is a record whose answers to questions that do not apply to it
// (skip logic) an export left out: they are in the record, but not in the
// files.
type Omission struct {
	RecordID     string   `json:"record_id"`
	Municipality string   `json:"municipality"`
	Fields       []string `json:"fields"`
}

// Manifest says what an export wrote, for the log the caller keeps of every
// export that leaves the app, and as the file beside the export
// (WriteManifest) that says what is in it, what was left out and why.
type Manifest struct {
	Format      string    `json:"format"`
	Created     time.Time `json:"created"`
	Dir         string    `json:"dir"`
	Instruments []string  `json:"instruments"` // id@version
	Records     int       `json:"records"`     // records exported
	// Statuses are the record states the export took; a case record in
	// another state is in Refused of a SINBA export (StateRefusal).
	Statuses []survey.Status `json:"statuses,omitempty"`
	// Versions counts the records exported by instrument version.
	Versions []VersionCount `json:"versions,omitempty"`
	Files    []File         `json:"files"`
	Refused  []Refusal      `json:"refused,omitempty"` // SINBA only
	// Omitted lists, per record, the answers left out because skip logic
	// hides them (survey.OmittedAnswers).
	Omitted []Omission `json:"omitted,omitempty"`
	// Name is the manifest's own file name in Dir, once WriteManifest has
	// written it.
	Name string `json:"-"`
}

// StateRefusal is a case record left out of a SINBA export because its
// state is not among those exported (by default, a record not yet
// approved), with the state's label as the reason.
func StateRefusal(rec survey.Record, st survey.Status, statuses []survey.Status) Refusal {
	label := st.Label()
	is := survey.Issue{Rule: "state." + string(st), Severity: survey.SeverityError}
	if len(statuses) == 1 && statuses[0] == survey.StatusApproved {
		is.MessageIT = "Non approvata (stato: " + label.IT + ")"
		is.MessageEN = "Not approved (state: " + label.In("en") + ")"
	} else {
		is.MessageIT = "Stato «" + label.IT + "» non compreso nell'esportazione"
		is.MessageEN = "State «" + label.In("en") + "» not included in the export"
	}
	return Refusal{RecordID: rec.ID, Municipality: rec.Municipality, Issues: []survey.Issue{is}}
}

// ManifestName is the file name of an export's manifest: by format and
// time, so that a later export into the same folder keeps the manifest of
// an earlier one.
func ManifestName(m *Manifest) string {
	return "manifest-" + m.Format + "-" + m.Created.Local().Format("20060102-150405") + ".json"
}

// WriteManifest writes m as JSON into m.Dir beside the files it lists, each
// with its size and SHA-256, and sets m.Name. It is written last, through a
// temporary file, so that a manifest is never there without its files.
func WriteManifest(m *Manifest) error {
	name := ManifestName(m)
	if _, err := writeFile(m.Dir, name, 0, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(m)
	}); err != nil {
		return survey.Errorf("manifest non scritto: %w", "manifest not written: %w", err)
	}
	m.Name = name
	return nil
}

// VersionCount is how many records of one instrument version an export
// holds.
type VersionCount struct {
	Instrument string `json:"instrument"`
	Version    int    `json:"version"`
	Records    int    `json:"records"`
}

func newManifest(format, dir string, sets []*Dataset) Manifest {
	m := Manifest{Format: format, Created: time.Now().UTC(), Dir: dir}
	for _, d := range sets {
		for _, in := range d.Union.Versions {
			m.Instruments = append(m.Instruments, in.Key())
		}
		m.Records += d.Records
		m.Versions = append(m.Versions, d.versionCounts()...)
		m.Omitted = append(m.Omitted, d.Omitted...)
	}
	return m
}

// versionCounts counts the dataset's records by version, oldest first.
func (d *Dataset) versionCounts() []VersionCount {
	vs := make([]int, 0, len(d.ByVersion))
	for v := range d.ByVersion {
		vs = append(vs, v)
	}
	sort.Ints(vs)
	out := make([]VersionCount, len(vs))
	for i, v := range vs {
		out[i] = VersionCount{Instrument: d.Union.ID, Version: v, Records: d.ByVersion[v]}
	}
	return out
}

// writeFile writes name in dir through a temporary file renamed into place,
// so a reader never sees half a file and a failed export leaves none, and
// returns its size and checksum.
func writeFile(dir, name string, rows int, fill func(w io.Writer) error) (f File, err error) {
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return File{}, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(tmp, h)}
	bw := bufio.NewWriterSize(cw, 64<<10)
	if err = fill(bw); err != nil {
		return File{}, err
	}
	if err = bw.Flush(); err != nil {
		return File{}, err
	}
	if err = tmp.Sync(); err != nil {
		return File{}, err
	}
	if err = tmp.Close(); err != nil {
		return File{}, err
	}
	if err = os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return File{}, err
	}
	return File{Name: name, Bytes: cw.n, SHA256: hex.EncodeToString(h.Sum(nil)), Rows: rows}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// checkDir refuses a folder that does not exist: the coordinator chooses
// where an export goes, and nothing is created elsewhere.
func checkDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return survey.Errorf("cartella di destinazione non disponibile: %w", "destination folder not available: %w", err)
	}
	if !st.IsDir() {
		return survey.Errorf("la destinazione non è una cartella: %s", "the destination is not a folder: %s", dir)
	}
	return nil
}

// writeTables writes the CSV file of every table of the sets, and their
// codebook.
func writeTables(m *Manifest, dir string, sets []*Dataset) error {
	for _, d := range sets {
		for _, t := range d.Tables {
			f, err := writeFile(dir, t.Name+".csv", len(t.Rows), t.WriteCSV)
			if err != nil {
				return err
			}
			m.Files = append(m.Files, f)
		}
	}
	return writeCodebook(m, dir, sets)
}

// WriteCSV writes one CSV file per table of every dataset into dir (which
// must exist): <instrument>.csv, <instrument>.<field>.csv for each long
// table and <instrument>.note.csv, and the codebook of them all,
// dizionario.csv (see Codebook).
func WriteCSV(dir string, sets ...*Dataset) (Manifest, error) {
	m := newManifest(FormatCSV, dir, sets)
	if err := checkDir(dir); err != nil {
		return m, err
	}
	return m, writeTables(&m, dir, sets)
}
