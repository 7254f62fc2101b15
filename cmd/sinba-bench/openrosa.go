package main

import (
	"database/sql"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
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
