package client_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
				if err := synctest.PostOpenRosa(http.DefaultClient, hs.URL+"/v1/key/"+token+"/projects/1/submission", synctest.OpenRosaXML(rec)); err != nil {
					b.Fatal(err)
				}
			}
			total += cl.Total()
		}
		b.ReportMetric(float64(total)/float64(b.N*benchRecords), "wire-B/record")
	})
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
