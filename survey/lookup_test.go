package survey

import (
	"testing"
	"time"
)

func TestReferenceLists(t *testing.T) {
	_, ref := load(t)
	for name, n := range map[string]int{ListMunicipalities: 7901, ListRegions: 20, ListProvinces: 107, ListCountries: 250} {
		if l := ref.List(name); l == nil || l.Len() != n {
			t.Errorf("list %s: want %d entries", name, n)
		}
	}
	if l := ref.List(ListBirthplaces); l == nil || l.Len() < 19000 {
		t.Error("birthplaces list too short")
	}
	if m, ok := ref.MunicipalityByBelfiore("f839"); !ok || m.Name != "Napoli" || m.Region != "15" || m.ISTAT != "063049" {
		t.Errorf("F839: %+v", m)
	}
	if p, ok, _ := ref.PlaceOn("D620", time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC)); !ok || p.Name != "FIUME" {
		t.Error("Fiume in 1930")
	}
	if _, ok, known := ref.PlaceOn("D620", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)); ok || len(known) == 0 {
		t.Error("Fiume in 1950")
	}
	if e, ok := ref.List(ListCountries).Get("380"); !ok || e.Label.IT != "Italia" || e.Label.EN != "Italy" {
		t.Errorf("380: %+v", e)
	}
}

func TestSearch(t *testing.T) {
	_, ref := load(t)
	first := func(list, q string) string {
		r := ref.List(list).Search(q, 5)
		if len(r) == 0 {
			return ""
		}
		return r[0].Label.IT
	}
	for _, tt := range []struct{ list, q, want string }{
		{ListMunicipalities, "roma", "Roma"},
		{ListMunicipalities, "ROMA", "Roma"},
		{ListMunicipalities, "aglie", "Agliè"},
		{ListMunicipalities, "reggio emilia", "Reggio nell'Emilia"},
		{ListMunicipalities, "nell'emilia", "Reggio nell'Emilia"},
		{ListMunicipalities, "063049", "Napoli"},
		{ListMunicipalities, "bolzano", "Bolzano/Bozen"},
		{ListCountries, "germania", "Germania"},
		{ListCountries, "germany", "Germania"},
		{ListCountries, "non disp", "Non disponibile"},
		{ListRegions, "valle d aosta", "Valle d'Aosta/Vallée d'Aoste"},
		{ListBirthplaces, "fiume", "FIUME"},
		{ListBirthplaces, "z404", "Stati Uniti D'America"},
	} {
		if got := first(tt.list, tt.q); got != tt.want {
			t.Errorf("%s: search %q: first %q, want %q", tt.list, tt.q, got, tt.want)
		}
	}
	if r := ref.List(ListMunicipalities).Search("san", 10); len(r) != 10 {
		t.Errorf("limit: %d results", len(r))
	}
	if r := ref.List(ListMunicipalities).Search("  ", 10); len(r) != 0 {
		t.Error("blank query matched")
	}
	if r := ref.List(ListMunicipalities).Search("xqzw", 10); len(r) != 0 {
		t.Error("nonsense matched")
	}
	// Labels starting with the query come before labels containing it.
	r := ref.List(ListMunicipalities).Search("monte", 3)
	for _, e := range r {
		if Fold(e.Label.IT)[:5] != "monte" {
			t.Errorf("search monte: %q before the names starting with Monte", e.Label.IT)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Agliè": "aglie", "Reggio nell'Emilia": "reggio nell emilia", "  São  Tomé ": "sao tome", "Ñuñoa-Œuvre": "nunoa oeuvre", "Straße": "strasse"} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
