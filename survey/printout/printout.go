// Package printout writes PDF printouts: a filled-in record (case record or
// municipality questionnaire), and a blank instrument for an office that
// fills it on paper first. It is pure Go (github.com/go-pdf/fpdf, no cgo);
// the text is set in an embedded TrueType font (see LoadFonts) so that the
// Italian accented letters and symbols such as "·" and "→" print as they are.
package printout

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/go-pdf/fpdf"

	"sinba/survey"
)

// Fonts are the TrueType files a printout is set in.
type Fonts struct {
	Regular, Bold []byte
}

// LoadFonts reads fonts/DejaVuSans.ttf and fonts/DejaVuSans-Bold.ttf from
// fsys (assets.Fonts).
func LoadFonts(fsys fs.FS) (Fonts, error) {
	var f Fonts
	var err error
	if f.Regular, err = fs.ReadFile(fsys, "fonts/DejaVuSans.ttf"); err != nil {
		return Fonts{}, fmt.Errorf("printout: %w", err)
	}
	if f.Bold, err = fs.ReadFile(fsys, "fonts/DejaVuSans-Bold.ttf"); err != nil {
		return Fonts{}, fmt.Errorf("printout: %w", err)
	}
	return f, nil
}

// Options say how a printout is made.
type Options struct {
	Lang  string // "it" (the default) or "en"
	Fonts Fonts
	// WithIdentity prints the child's identification (name, codice
	// fiscale, birth). A printed record about a minor is sensitive: by
	// default it is left out, the pseudonym is printed, and the page says so.
	WithIdentity bool
	// Now is the time printed as the printout's date; zero means time.Now.
	Now time.Time
}

// Info is what the store knows of a record beyond its content.
type Info struct {
	Status           survey.Status
	Created, Updated time.Time
}

// ErrNoFonts is returned when Options.Fonts is empty.
var ErrNoFonts = errors.New("printout: no fonts given (see LoadFonts)")

const (
	family   = "sinba"
	margin   = 15.0
	lineH    = 5.0
	boxSize  = 3.4
	bodySize = 10.0
)

// page wraps the PDF document with the few styles a printout uses.
type page struct {
	pdf  *fpdf.Fpdf
	lang string
}

func newPage(o Options, in *survey.Instrument, title string) (*page, error) {
	if len(o.Fonts.Regular) == 0 || len(o.Fonts.Bold) == 0 {
		return nil, ErrNoFonts
	}
	lang := o.Lang
	if lang != "en" {
		lang = "it"
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(family, "", o.Fonts.Regular)
	pdf.AddUTF8FontFromBytes(family, "B", o.Fonts.Bold)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin+5)
	pdf.SetTitle(title, true)
	pdf.SetCreator("sinba", true)
	pdf.SetLang(lang)
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	pdf.SetCreationDate(now)
	pdf.SetModificationDate(now)
	pdf.AliasNbPages("{nb}")
	p := &page{pdf: pdf, lang: lang}
	head := in.Title.In(lang) + fmt.Sprintf(" · v%d", in.Version)
	pdf.SetHeaderFunc(func() {
		if pdf.PageNo() == 1 {
			return
		}
		pdf.SetFont(family, "", 8)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(0, 4, head, "", 1, "L", false, 0, "")
		pdf.Ln(2)
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-margin)
		pdf.SetFont(family, "", 8)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(0, 4, p.t(survey.Text{
			IT: fmt.Sprintf("Pagina %d di {nb}", pdf.PageNo()),
			EN: fmt.Sprintf("Page %d of {nb}", pdf.PageNo()),
		}), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	return p, nil
}

func (p *page) t(t survey.Text) string { return t.In(p.lang) }

func (p *page) title(s string) {
	p.pdf.SetFont(family, "B", 15)
	p.pdf.MultiCell(0, 7, s, "", "L", false)
	p.pdf.Ln(1)
}

func (p *page) section(s string) {
	p.pdf.Ln(3)
	if p.pdf.GetY() > 250 {
		p.pdf.AddPage()
	}
	p.pdf.SetFont(family, "B", 12)
	p.pdf.SetFillColor(225, 232, 240)
	p.pdf.MultiCell(0, 7, s, "", "L", true)
	p.pdf.Ln(1.5)
}

// keep starts a new page when less than h millimetres are left, so that a
// question's label does not stand alone at the foot of a page.
func (p *page) keep(h float64) {
	_, ph := p.pdf.GetPageSize()
	_, _, _, bottom := p.pdf.GetMargins()
	if p.pdf.GetY()+h > ph-bottom-5 {
		p.pdf.AddPage()
	}
}

func (p *page) label(s string) {
	p.keep(14)
	p.pdf.SetFont(family, "B", bodySize)
	p.pdf.MultiCell(0, lineH, s, "", "L", false)
}

func (p *page) text(s string) {
	p.pdf.SetFont(family, "", bodySize)
	p.pdf.MultiCell(0, lineH, s, "", "L", false)
}

func (p *page) small(s string) {
	p.pdf.SetFont(family, "", 8.5)
	p.pdf.SetTextColor(90, 90, 90)
	p.pdf.MultiCell(0, 4, s, "", "L", false)
	p.pdf.SetTextColor(0, 0, 0)
}

// field writes "name: value" on one line, the name in bold.
func (p *page) field(name, value string) {
	p.pdf.SetFont(family, "B", bodySize)
	w := p.pdf.GetStringWidth(name+": ") + 1
	p.pdf.CellFormat(w, lineH, name+": ", "", 0, "L", false, 0, "")
	p.pdf.SetFont(family, "", bodySize)
	p.pdf.MultiCell(0, lineH, value, "", "L", false)
}

// indent runs fn with the left margin moved right by mm.
func (p *page) indent(mm float64, fn func()) {
	l, t, r, _ := p.pdf.GetMargins()
	p.pdf.SetLeftMargin(l + mm)
	p.pdf.SetX(l + mm)
	fn()
	p.pdf.SetMargins(l, t, r)
	p.pdf.SetX(l)
}

func (p *page) output(w io.Writer) error {
	if err := p.pdf.Error(); err != nil {
		return fmt.Errorf("printout: %w", err)
	}
	var buf bytes.Buffer
	if err := p.pdf.Output(&buf); err != nil {
		return fmt.Errorf("printout: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// municipality is "Name (ISTAT)" when the reference knows the code.
func municipality(in *survey.Instrument, istat string) string {
	if ref := in.Reference(); ref != nil {
		if m, ok := ref.Municipality(istat); ok {
			return fmt.Sprintf("%s (%s)", m.Name, istat)
		}
	}
	return istat
}
