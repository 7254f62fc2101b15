package main

import (
	"bytes"
	"database/sql"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"sinba/survey"
)

// The OpenRosa baseline: what ODK Collect does with a finished form, one
// POST /submission per record, multipart/form-data with the XML instance in
// the part xml_submission_file, uncompressed; the server answers 201 with an
// OpenRosa XML message. The baseline server stores each submission in a
// SQLite table (same pragmas as ours), one transaction per request.

type openRosaServer struct {
	*httpServer
	db *sql.DB
}

func newOpenRosaServer(path string) (*openRosaServer, error) {
	os.MkdirAll(filepath.Dir(path), 0o700)
	db, err := sql.Open("sqlite", plainDSN(path))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE submissions (instance_id TEXT PRIMARY KEY, received TEXT NOT NULL, xml TEXT NOT NULL) STRICT`); err != nil {
		db.Close()
		return nil, err
	}
	s := &openRosaServer{db: db}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(10 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f, _, err := r.FormFile("xml_submission_file")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(f)
		var head struct {
			Meta struct {
				InstanceID string `xml:"instanceID"`
			} `xml:"meta"`
		}
		if err := xml.Unmarshal(body, &head); err != nil || head.Meta.InstanceID == "" {
			http.Error(w, "bad instance", http.StatusBadRequest)
			return
		}
		// A repeated instance id is acknowledged, not stored twice (as
		// ODK Central does).
		if _, err := db.Exec(`INSERT OR IGNORE INTO submissions VALUES (?, ?, ?)`, head.Meta.InstanceID,
			time.Now().UTC().Format(time.RFC3339Nano), string(body)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("X-OpenRosa-Version", "1.0")
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `<OpenRosaResponse xmlns="http://openrosa.org/http/response" items="0"><message nature="">full submission upload was successful!</message></OpenRosaResponse>`)
	})
	if s.httpServer, err = serveHTTP(h); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *openRosaServer) Close() {
	s.httpServer.Close()
	s.db.Close()
}

func postOpenRosa(hc *http.Client, url string, instance []byte) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("xml_submission_file", "submission.xml")
	fw.Write(instance)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, url, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-OpenRosa-Version", "1.0")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("OpenRosa baseline: HTTP %d", resp.StatusCode)
	}
	return nil
}

// openRosaXML renders a record as an XForm instance: one element per field,
// select-multiple values space-separated, repeat groups repeated, the
// pilot's notes and "not held" marks as extra fields, the identification in
// a group, the instance id in meta.
func openRosaXML(rec survey.Record) []byte {
	var x bytes.Buffer
	esc := func(s string) string {
		var b bytes.Buffer
		xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	fmt.Fprintf(&x, `<?xml version="1.0"?><data id="%s" version="%d" xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">`, rec.Instrument, rec.Version)
	fmt.Fprintf(&x, "<comune>%s</comune>", rec.Municipality)
	keys := make([]string, 0, len(rec.Answers))
	for k := range rec.Answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := rec.Answers[k].(type) {
		case []any:
			var scalars []string
			for _, item := range v {
				if m, ok := item.(map[string]any); ok {
					ks := make([]string, 0, len(m))
					for ik := range m {
						ks = append(ks, ik)
					}
					sort.Strings(ks)
					fmt.Fprintf(&x, "<%s>", k)
					for _, ik := range ks {
						fmt.Fprintf(&x, "<%s>%s</%s>", ik, esc(fmt.Sprint(m[ik])), ik)
					}
					fmt.Fprintf(&x, "</%s>", k)
				} else {
					scalars = append(scalars, fmt.Sprint(item))
				}
			}
			if len(scalars) > 0 {
				fmt.Fprintf(&x, "<%s>%s</%s>", k, esc(strings.Join(scalars, " ")), k)
			}
		default:
			fmt.Fprintf(&x, "<%s>%s</%s>", k, esc(fmt.Sprint(v)), k)
		}
	}
	mkeys := make([]string, 0, len(rec.Meta))
	for k := range rec.Meta {
		mkeys = append(mkeys, k)
	}
	sort.Strings(mkeys)
	for _, k := range mkeys {
		m := rec.Meta[k]
		fmt.Fprintf(&x, "<%s_non_disponibile>%v</%s_non_disponibile><%s_nota>%s</%s_nota>", k, m.NotHeld, k, k, esc(m.Note), k)
	}
	if id := rec.Identity; id != nil {
		fmt.Fprintf(&x, "<identificazione><cognome>%s</cognome><nome>%s</nome><sesso>%s</sesso><data_nascita>%s</data_nascita><luogo_nascita>%s</luogo_nascita><codice_fiscale>%s</codice_fiscale></identificazione>",
			esc(id.Surname), esc(id.Name), id.Sex, id.BirthDate, esc(id.BirthPlace), id.FiscalCode)
	}
	fmt.Fprintf(&x, "<meta><instanceID>uuid:%s</instanceID></meta></data>", rec.ID)
	return x.Bytes()
}
