package survey

import "testing"

func BenchmarkValidateCase(b *testing.B) {
	in := caseInstrument(b)
	rec := validCase()
	rec.Answers["Disabilita"] = "1"
	rec.Answers["TipoDisabilita"] = "2"
	rec.Answers["InvCivCertificazioni"] = "5"
	rec.Answers["LuogoVita"] = "3"
	rec.Answers["DettaglioInterventi"] = []any{map[string]any{"CodicePrestazione": "A1.02", "MeseInizio": "01/2024", "MeseFine": "03/2024"}}
	rec.Identity = &Identity{FiscalCode: "BNCLRA10A41H501K", Sex: "F"}
	b.ReportAllocs()
	for b.Loop() {
		ValidateAt(in, rec, refDate)
	}
}

func BenchmarkDecodeCF(b *testing.B) {
	_, ref := load(b)
	b.ReportAllocs()
	for b.Loop() {
		DecodeFiscalCodeAt("RSSMRAURTMLARSNL", ref, cfNow)
	}
}

// BenchmarkSearch is one keystroke of a lookup question.
func BenchmarkSearch(b *testing.B) {
	_, ref := load(b)
	for _, bc := range []struct{ list, query string }{{ListMunicipalities, "san gi"}, {ListBirthplaces, "mon"}, {ListCountries, "ger"}} {
		l := ref.List(bc.list)
		b.Run(bc.list, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l.Search(bc.query, 20)
			}
		})
	}
}
