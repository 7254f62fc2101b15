package survey

import (
	"strings"
	"testing"
)

// TestPlaceDetailsInItalianDates: the lookup of places of birth shows the
// years a historic municipality existed as a person reads dates in Italy
// ("29/05/1928 – 31/08/1945"), not in the reference files' ISO form.
func TestPlaceDetailsInItalianDates(t *testing.T) {
	_, ref := load(t)
	found := 0
	for _, e := range ref.List(ListBirthplaces).Entries() {
		if !strings.Contains(e.Detail, " – ") {
			continue
		}
		found++
		dates := e.Detail[strings.Index(e.Detail, ",")+1:]
		if strings.Contains(dates, "-") || !strings.Contains(dates, "/") {
			t.Fatalf("%s %s: detail %q, want dates as dd/mm/yyyy", e.Code, e.Label.IT, e.Detail)
		}
	}
	if found == 0 {
		t.Fatal("no historic place in the lookup")
	}
}
