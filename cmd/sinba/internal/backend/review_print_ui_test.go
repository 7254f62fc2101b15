package backend_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"sinba/cmd/sinba/internal/backend"
	"sinba/localdb"
	"sinba/survey"
	"sinba/ui/coordinator"
)

// TestReviewPrintsTheRecord saves the record under review as PDF from the
// coordinators' review screen, over real stores and a real server: coded
// answers as code · label, "not held" with its note, the pseudonym; the
// child's name, typed on the laptop, never reaches the coordinators and is
// not on the page.
func TestReviewPrintsTheRecord(t *testing.T) {
	l := newReviewLoop(t)
	rec := caseRecord()
	rec.Identity = &survey.Identity{Surname: "Rossi", Name: "Maria"}
	info, err := l.laptop.Save(l.ctx, rec, localdb.SaveOptions{Status: survey.StatusFinal, Actor: backend.Actor})
	l.must(err)
	l.syncLaptop()
	l.syncCoordinator()

	out := filepath.Join(t.TempDir(), "revisione.pdf")
	var asked string
	var written error
	w, ws, _ := l.workspace(func(d *coordinator.Deps) {
		d.SaveFile = func(name string, write func(string) error) { asked = name; written = write(out) }
	})
	if !ws.SelectForReview(info.ID) {
		t.Fatal("the record sent by the laptop is not in the review queue")
	}
	test.Tap(buttonNamed(t, w, "Stampa / salva PDF"))
	if written != nil {
		t.Fatalf("the printout failed: %v", written)
	}
	if !strings.HasSuffix(asked, ".pdf") {
		t.Errorf("file name proposed %q, want a .pdf", asked)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("the PDF has mode %v, want 0600", st.Mode().Perm())
	}
	b, err := exec.Command("pdftotext", "-enc", "UTF-8", out, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(b)), " ")
	for _, want := range []string{"Z6ZSHZMWJN32HMPOMTPT", "5 · 12-15 anni", "ISEE non trasmesso dall'INPS", "Identificazione del minore omessa"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%.600s", want, text)
		}
	}
	if strings.Contains(text, "Rossi") || strings.Contains(text, "Maria") {
		t.Error("the coordinators' PDF names the child")
	}
	if !hasLabel(w, func(s string) bool { return strings.HasPrefix(s, "Scheda salvata in PDF") }) {
		t.Error("the screen does not say where the PDF went")
	}
}
