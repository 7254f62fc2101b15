package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validFlat is a complete case record as a flat JSON object.
const validFlat = `{"IDBeneficiario":"ABCDEFGHIJKLMNOPQRST","AnnoNascita":2014,"FasciaEtaBeneficiario":"4","CodiceNazioneResidenza":"380",` +
	`"CodiceRegioneResidenza":"15","MinoreStranieroNoAcc":"2","CondizioneMinore":"1","LuogoVita":"1","ScuolaFrequentata":"5",` +
	`"CondizioneLavoro":"1","Disabilita":"2","ComposizioneFamiglia":["1","3"],"DataPrimaSegnalazione":"03/2022","FonteSegnalazione":"13",` +
	`"ValutazioneMinore":"2","ValutazioneFamigliaMinore":"2","SegnalazioneAutoritaGiudiziaria":"2","ProvvedimentoGiudiziario":"2",` +
	`"CodicePrestazione":["A1.01"]}`

const validEnvelope = `{"instrument":"scheda-minore","version":1,"municipality":"063049","answers":` + validFlat +
	`,"meta":{"TitoloStudioMadre":{"not_held":true,"note":"non registrato"}}}`

func TestCheck(t *testing.T) {
	bad := strings.Replace(validFlat, `"Disabilita":"2"`, `"Disabilita":"1"`, 1)
	input := validFlat + "\n\n" + validEnvelope + "\n" + bad + "\n{oops\n"
	code, out, errs := runIn(t, input, "check", "--ref-date", "2025-06-30")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	type result struct {
		Index  int  `json:"index"`
		Valid  bool `json:"valid"`
		Issues []struct {
			Rule     string   `json:"rule"`
			Severity string   `json:"severity"`
			Fields   []string `json:"fields"`
			Message  string   `json:"message"`
		} `json:"issues"`
	}
	var rs []result
	for _, l := range lines {
		var r result
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	if rs[0].Index != 1 || !rs[0].Valid || len(rs[0].Issues) != 0 || !strings.Contains(lines[0], `"issues":[]`) {
		t.Errorf("line 1: %s", lines[0])
	}
	if rs[1].Index != 3 || !rs[1].Valid {
		t.Errorf("line 3 (envelope): %s", lines[1])
	}
	// The certificate is optional from version 2 (Allegato C): one issue.
	if rs[2].Index != 4 || rs[2].Valid || len(rs[2].Issues) != 1 || rs[2].Issues[0].Rule != "required_if.TipoDisabilita" ||
		rs[2].Issues[0].Severity != "error" || rs[2].Issues[0].Fields[0] != "TipoDisabilita" || rs[2].Issues[0].Message == "" {
		t.Errorf("line 4: %s", lines[2])
	}
	if rs[3].Index != 5 || rs[3].Valid || rs[3].Issues[0].Rule != "input" {
		t.Errorf("line 5: %s", lines[3])
	}

	f := filepath.Join(t.TempDir(), "records.jsonl")
	os.WriteFile(f, []byte(validFlat+"\n"), 0o600)
	if code, out, errs := runIn(t, "", "check", "--ref-date", "2025-06-30", f); code != 0 || !strings.Contains(out, `"valid":true`) {
		t.Errorf("file: exit %d %s %s", code, out, errs)
	}
	// A warning alone does not fail the check.
	warn := strings.Replace(validFlat, `"CondizioneMinore":"1"`, `"CondizioneMinore":"4"`, 1)
	if code, out, _ := runIn(t, warn, "check", "--ref-date", "2025-06-30", "-"); code != 0 || !strings.Contains(out, `"severity":"warning"`) {
		t.Errorf("warning: exit %d %s", code, out)
	}
	comune := `{"instrument":"scheda-comune","Comune":"063049"}`
	if code, out, _ := runIn(t, comune, "check"); code != 1 || !strings.Contains(out, "required.DataRilevazione") {
		t.Errorf("municipality questionnaire: exit %d %s", code, out)
	}
	if code, _, _ := runIn(t, "", "check", "--instrument", "scheda-x"); code != 1 {
		t.Error("unknown instrument accepted")
	}
	if code, _, _ := runIn(t, "", "check", "--ref-date", "30/06/2025"); code != 1 {
		t.Error("bad date accepted")
	}
}
