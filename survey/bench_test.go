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

func BenchmarkSearchMunicipalities(b *testing.B) {
	_, ref := load(b)
	l := ref.List(ListMunicipalities)
	b.ReportAllocs()
	for b.Loop() {
		l.Search("san gi", 20)
	}
}

func BenchmarkSearchBirthplaces(b *testing.B) {
	_, ref := load(b)
	l := ref.List(ListBirthplaces)
	b.ReportAllocs()
	for b.Loop() {
		l.Search("mon", 20)
	}
}
