package quality

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"sinba/survey"
)

// hostile is text a researcher could type, or a published instrument could
// carry, that would become markup if it reached the page unescaped: it
// closes every element whose content is special (style, title, an SVG text)
// and opens a script and an element with an event handler, inside and
// outside an attribute.
const hostile = `</style></title></text></svg><script>alert(1)</script>"><img src=x onerror=alert(1)>'<b onmouseover=alert(1)>`

// The elements and attributes the report is made of; anything else in the
// parsed page came from data.
var (
	reportElements = map[string]bool{"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true,
		"h1": true, "h2": true, "h3": true, "p": true, "span": true, "b": true, "i": true, "ul": true, "li": true,
		"table": true, "tbody": true, "tr": true, "th": true, "td": true, "figure": true,
		"svg": true, "line": true, "rect": true, "circle": true, "polyline": true, "text": true}
	reportAttributes = map[string]bool{"lang": true, "charset": true, "class": true, "style": true, "colspan": true,
		"xmlns": true, "width": true, "height": true, "viewbox": true, "role": true, "x": true, "y": true,
		"x1": true, "y1": true, "x2": true, "y2": true, "cx": true, "cy": true, "r": true, "points": true,
		"fill": true, "stroke": true, "stroke-width": true, "text-anchor": true}
)

// plantHostile sets every exported string of v, at any depth (structs,
// slices, arrays, pointers, map values), to hostile text.
func plantHostile(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(hostile)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			plantHostile(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				plantHostile(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			plantHostile(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			plantHostile(e)
			v.SetMapIndex(k, e)
		}
	}
}

// checkNoMarkupFromData renders r and fails when any hostile text became
// markup: an element or attribute the report does not write, a second style
// block, a changed title; and when the hostile text is not on the page as
// text at all (then the test would prove nothing).
func checkNoMarkupFromData(t *testing.T, r Report, wantText int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.Bytes()
	for _, raw := range []string{"<script", "<img", "<b onmouseover", "onerror=alert(1)>"} {
		if bytes.Contains(out, []byte(raw)) {
			t.Errorf("the page holds %q unescaped", raw)
		}
	}
	if n := bytes.Count(out, []byte("</style>")); n != 1 {
		t.Errorf("%d </style> in the page, want 1", n)
	}
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var styles, texts int
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			if !reportElements[n.Data] {
				t.Errorf("element <%s> in the page", n.Data)
			}
			for _, a := range n.Attr {
				if !reportAttributes[strings.ToLower(a.Key)] {
					t.Errorf("attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
				}
				if strings.ToLower(a.Key) == "style" && strings.Contains(a.Val, "alert") {
					t.Errorf("style attribute %q holds data", a.Val)
				}
			}
			switch n.Data {
			case "style":
				styles++
				if n.FirstChild == nil || strings.Contains(n.FirstChild.Data, "alert") || n.FirstChild.NextSibling != nil {
					t.Errorf("the style block holds more than the report's CSS")
				}
			case "title":
				if n.Parent.Data == "head" && (n.FirstChild == nil || n.FirstChild.Data != "S.In.Ba: punti critici del data set / critical points of the data set") {
					t.Errorf("the title changed")
				}
			}
		case html.TextNode:
			if strings.Contains(n.Data, hostile) {
				texts++
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if styles != 1 {
		t.Errorf("%d style elements, want 1", styles)
	}
	if texts < wantText {
		t.Errorf("the hostile text is on the page as text %d times, want at least %d", texts, wantText)
	}
	return out
}

// TestWriteHTMLEscapesHostileText plants hostile text first where people
// type it (a note on a field, the Scheda Comune's critical points, a team
// name) and renders the analysis of those records; then in every string of
// the report (municipality names and codes, labels and titles of the
// instruments, rule names, grid declarations, table headings and notes,
// reasons records were left out, warnings, week labels).
func TestWriteHTMLEscapesHostileText(t *testing.T) {
	reg := load(t)
	recs := plantedRecords()
	for i := range recs {
		switch recs[i].ID {
		case "na1":
			recs[i].Meta = map[string]survey.FieldMeta{"FonteSegnalazione": {NotHeld: true, Note: hostile}}
		case "sc-na":
			recs[i].Answers["Criticita"] = hostile
		}
	}
	r := Analyse(reg, recs, Options{Ref: refDate})
	p := BuildProgress([]Entry{{Record: recs[0], Status: survey.StatusFinal, Team: hostile, Created: refDate, Updated: refDate}}, testRef)
	r.Progress = &p
	// The note, the critical points, the team in the progress table.
	checkNoMarkupFromData(t, r, 3)

	r.Skipped = []Skipped{{RecordID: "x", Reason: survey.Text{IT: "x", EN: "y"}}}
	r.Warnings = []survey.Text{{IT: "x", EN: "y"}}
	plantHostile(reflect.ValueOf(&r))
	if r.Municipalities[0].Name != hostile || r.Instruments[0].Fields[0].Label.IT != hostile || r.Tables[0].Rows[0].Label.EN != hostile {
		t.Fatal("the hostile text was not planted")
	}
	out := checkNoMarkupFromData(t, r, 50)
	// The page as a coordinator sees it; kept when SINBA_REPORT_OUT names a
	// folder, for a look in a browser.
	if dir := os.Getenv("SINBA_REPORT_OUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "report-hostile.html"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
