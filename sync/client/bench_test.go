package client_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
)

const benchRecords = 100

// countedServer serves h on loopback behind a byte-counting listener.
func countedServer(b *testing.B, h http.Handler) (*httptest.Server, *synctest.CountingListener) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	cl := &synctest.CountingListener{Listener: ln}
	hs := httptest.NewUnstartedServer(h)
	hs.Listener = cl
	hs.Start()
	b.Cleanup(hs.Close)
	return hs, cl
}

// BenchmarkWireBytes compares the bytes on the wire (requests and
// responses, headers included, both directions) to upload the same case
// records with sinba's batches and with an OpenRosa-style upload: one
// multipart request with an XML instance per record, as ODK Collect does.
func BenchmarkWireBytes(b *testing.B) {
	recs := make([]survey.Record, benchRecords)
	for i := range recs {
		recs[i] = synctest.RealisticCase(synctest.MunicipalityA, uint64(i))
	}
	b.Run("sinba", func(b *testing.B) {
		ctx := context.Background()
		p := synctest.NewProject(b, b.TempDir())
		hs, cl := countedServer(b, server.New(p.Store, server.Config{DisableLimits: true}, nil))
		b.Cleanup(func() { p.Store.Close() })
		p.URL = hs.URL
		laptop := synctest.Laptop(b, b.TempDir())
		c := client.New(laptop, client.Options{})
		if _, err := c.Enrol(ctx, p.URL, p.Code(b, p.TeamA)); err != nil {
			b.Fatal(err)
		}
		if _, err := c.SyncOnce(ctx, nil); err != nil { // team key, instruments
			b.Fatal(err)
		}
		var total int64
		for b.Loop() {
			b.StopTimer()
			for _, r := range recs {
				r.ID = ""
				if _, err := laptop.Save(ctx, r, localdb.SaveOptions{Status: survey.StatusFinal}); err != nil {
					b.Fatal(err)
				}
			}
			cl.Reset()
			b.StartTimer()
			rep, err := c.SyncOnce(ctx, nil)
			if err != nil || rep.Accepted != benchRecords {
				b.Fatalf("%+v %v", rep, err)
			}
			total += cl.Total()
		}
		b.ReportMetric(float64(total)/float64(b.N*benchRecords), "wire-B/record")
	})
	b.Run("openrosa", func(b *testing.B) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			f, _, err := r.FormFile("xml_submission_file")
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			io.Copy(io.Discard, f)
			w.Header().Set("X-OpenRosa-Version", "1.0")
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `<OpenRosaResponse xmlns="http://openrosa.org/http/response" items="0"><message nature="">full submission upload was successful!</message></OpenRosaResponse>`)
		})
		hs, cl := countedServer(b, h)
		token := strings.Repeat("k", 64) // ODK Central app-user token in the path
		var total int64
		for b.Loop() {
			cl.Reset()
			for _, rec := range recs {
				rec.ID = uuid.NewString()
				postOpenRosa(b, hs.URL+"/v1/key/"+token+"/projects/1/submission", openRosaXML(rec))
			}
			total += cl.Total()
		}
		b.ReportMetric(float64(total)/float64(b.N*benchRecords), "wire-B/record")
	})
}

func postOpenRosa(b *testing.B, url string, xml []byte) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("xml_submission_file", "submission.xml")
	fw.Write(xml)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, url, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-OpenRosa-Version", "1.0")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b.Fatalf("HTTP %d", resp.StatusCode)
	}
}

// openRosaXML renders a record as an ODK XForm instance: one element per
// field, select-multiple values space-separated, repeat groups repeated,
// the pilot's notes and "not held" flags as extra fields.
func openRosaXML(rec survey.Record) []byte {
	var x bytes.Buffer
	esc := func(s string) string {
		var b bytes.Buffer
		_ = xmlEscape(&b, s)
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
					fmt.Fprintf(&x, "<%s>", k)
					for ik, iv := range m {
						fmt.Fprintf(&x, "<%s>%s</%s>", ik, esc(fmt.Sprint(iv)), ik)
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
	for k, m := range rec.Meta {
		fmt.Fprintf(&x, "<%s_non_disponibile>%v</%s_non_disponibile><%s_nota>%s</%s_nota>", k, m.NotHeld, k, k, esc(m.Note), k)
	}
	if id := rec.Identity; id != nil {
		fmt.Fprintf(&x, "<identificazione><cognome>%s</cognome><nome>%s</nome><sesso>%s</sesso><data_nascita>%s</data_nascita><luogo_nascita>%s</luogo_nascita><codice_fiscale>%s</codice_fiscale></identificazione>",
			esc(id.Surname), esc(id.Name), id.Sex, id.BirthDate, esc(id.BirthPlace), id.FiscalCode)
	}
	fmt.Fprintf(&x, "<meta><instanceID>uuid:%s</instanceID></meta></data>", rec.ID)
	return x.Bytes()
}

// BenchmarkEmptySync is one round with nothing to send or receive: the
// price of the background sync when there is nothing to do.
func BenchmarkEmptySync(b *testing.B) {
	ctx := context.Background()
	p := synctest.NewProject(b, b.TempDir())
	p.Serve(b, server.Config{DisableLimits: true})
	laptop := synctest.Laptop(b, b.TempDir())
	c := client.New(laptop, client.Options{})
	if _, err := c.Enrol(ctx, p.URL, p.Code(b, p.TeamA)); err != nil {
		b.Fatal(err)
	}
	if _, err := c.SyncOnce(ctx, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := c.SyncOnce(ctx, nil)
		if err != nil || rep.Sent != 0 {
			b.Fatalf("%+v %v", rep, err)
		}
	}
}

func xmlEscape(w io.Writer, s string) error {
	return xml.EscapeText(w, []byte(s))
}
