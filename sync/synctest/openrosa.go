package synctest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"time"

	"sinba/survey"
)

// The OpenRosa-style baseline of the benchmarks (cmd/sinba-bench and
// sync/client's): one multipart request per record with its XForm instance,
// as ODK Collect uploads, so both measure sinba against the same thing.

// PostOpenRosa sends one instance as ODK Collect does: multipart/form-data
// with the XML in xml_submission_file; the server must answer 201.
func PostOpenRosa(hc *http.Client, url string, instance []byte) error {
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

// OpenRosaXML renders a record as an XForm instance: one element per field,
// select-multiple values space-separated, repeat groups repeated, the
// pilot's notes and "not held" marks as extra fields, the identification in
// a group, the instance id in meta.
func OpenRosaXML(rec survey.Record) []byte {
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
