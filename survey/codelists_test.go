package survey

import (
	"encoding/xml"
	"os"
	"strings"
	"testing"
)

// xsdSchema is the part of SINBA.xsd the tests compare with.
type xsdSchema struct {
	SimpleTypes []struct {
		Name   string `xml:"name,attr"`
		Values []struct {
			Value string `xml:"value,attr"`
			Doc   string `xml:"annotation>documentation"`
		} `xml:"restriction>enumeration"`
	} `xml:"simpleType"`
	ComplexTypes []struct {
		Name  string `xml:"name,attr"`
		Attrs []struct {
			Name string `xml:"name,attr"`
			Type string `xml:"type,attr"`
			Use  string `xml:"use,attr"`
		} `xml:"attribute"`
	} `xml:"complexType"`
}

func readXSD(t *testing.T) xsdSchema {
	t.Helper()
	b, err := os.ReadFile("testdata/SINBA.xsd")
	if err != nil {
		t.Fatal(err)
	}
	var s xsdSchema
	if err := xml.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestCodelistsEqualXSD: every enumeration of SINBA.xsd is a code list of the
// case record with the same codes, in the same order, with the same labels.
// Every version of the case record keeps the XSD's code lists code for code.
// Version 1 shows the XSD's labels as they are; from version 2 the labels we
// show correct the XSD's typos, so they are checked for the typos instead.
func TestCodelistsEqualXSD(t *testing.T) {
	reg, _ := load(t)
	s := readXSD(t)
	for _, version := range reg.Versions(InstrumentCase) {
		in, _ := reg.Get(InstrumentCase, version)
		n := 0
		for _, st := range s.SimpleTypes {
			if len(st.Values) == 0 {
				continue
			}
			n++
			cl := in.Codelists[st.Name]
			if cl == nil {
				t.Errorf("v%d: code list %s of the XSD is not in the instrument", version, st.Name)
				continue
			}
			if cl.Open {
				t.Errorf("v%d: code list %s is an enumeration of the XSD: it cannot be open", version, st.Name)
			}
			if len(cl.Codes) != len(st.Values) {
				t.Errorf("v%d %s: %d codes, the XSD has %d", version, st.Name, len(cl.Codes), len(st.Values))
				continue
			}
			for i, v := range st.Values {
				c := cl.Codes[i]
				if c.Code != v.Value {
					t.Errorf("v%d %s[%d]: code %q, the XSD has %q", version, st.Name, i, c.Code, v.Value)
				}
				if version == 1 && squash(c.Label.IT) != squash(v.Doc) {
					t.Errorf("v1 %s[%d]: label %q, the XSD has %q", st.Name, i, c.Label.IT, squash(v.Doc))
				}
				if version > 1 {
					for _, typo := range []string{"abito/", "Tra 0.01 a", "  ", "..", "art.403", "\""} {
						if strings.Contains(c.Label.IT, typo) {
							t.Errorf("v%d %s %s: label %q keeps the XSD's typo %q", version, st.Name, c.Code, c.Label.IT, typo)
						}
					}
					if c.Label.IT != strings.TrimSpace(c.Label.IT) || c.Label.IT == "" {
						t.Errorf("v%d %s %s: label %q", version, st.Name, c.Code, c.Label.IT)
					}
				}
				if c.Label.EN == "" {
					t.Errorf("v%d %s %s: no English label", version, st.Name, c.Code)
				}
			}
		}
		if n != 33 {
			t.Errorf("%d enumerations in the XSD, want 33", n)
		}
		for name := range in.Codelists {
			found := name == "CodicePrestazione"
			for _, st := range s.SimpleTypes {
				found = found || st.Name == name
			}
			if !found {
				t.Errorf("v%d: code list %s is not in the XSD", version, name)
			}
		}
	}
}

func TestCaseFieldsAreSINBA(t *testing.T) {
	in := caseInstrument(t)
	s := readXSD(t)
	var attrs []struct{ Name, Type, Use string }
	for _, ct := range s.ComplexTypes {
		if ct.Name == "SinbaType" {
			for _, a := range ct.Attrs {
				attrs = append(attrs, struct{ Name, Type, Use string }{a.Name, a.Type, a.Use})
			}
		}
	}
	if len(attrs) != 46 || len(sinbaAttributes) != 46 {
		t.Fatalf("%d attributes in the XSD, %d in sinbaAttributes, want 46", len(attrs), len(sinbaAttributes))
	}
	for i, a := range attrs {
		if sinbaAttributes[i].Name != a.Name || sinbaAttributes[i].Required != (a.Use == "required") {
			t.Errorf("sinbaAttributes[%d] = %+v, the XSD has %s use=%s", i, sinbaAttributes[i], a.Name, a.Use)
		}
		f := sinbaAttributes[i]
		if a.Type == "DataMeseAnnoType" && f.Type != TypeMonthYear || a.Type != "" && a.Type != "DataMeseAnnoType" && (f.Type != TypeSingle || f.List != a.Type) {
			t.Errorf("sinbaAttributes[%d] = %+v, the XSD has type %s", i, f, a.Type)
		}
		q, ok := in.Question(a.Name)
		if !ok {
			t.Errorf("no question %s", a.Name)
			continue
		}
		if a.Type == "DataMeseAnnoType" {
			if q.Type != TypeMonthYear {
				t.Errorf("question %s: %s, want monthyear", a.Name, q.Type)
			}
		} else if a.Type != "" && (q.Type != TypeSingle || q.Codelist != a.Type) {
			t.Errorf("question %s: %s over %q, want a single choice over %s", a.Name, q.Type, q.Codelist, a.Type)
		}
	}
	for _, f := range []string{FieldPrestazioni, FieldFamiglia} {
		if q, ok := in.Question(f); !ok || q.Type != TypeMulti {
			t.Errorf("question %s: want a multiple choice (a repeated element)", f)
		}
	}
}

// TestShippedCaseVersionsHaveSINBAFields: every built-in version of the case
// record has every field the SINBA flow reads, of the kind it reads.
func TestShippedCaseVersionsHaveSINBAFields(t *testing.T) {
	reg, _ := load(t)
	for _, v := range reg.Versions(InstrumentCase) {
		in, _ := reg.Get(InstrumentCase, v)
		for _, p := range SINBAFieldProblems(in) {
			t.Errorf("v%d: %s", v, p.Message.IT)
		}
	}
}
