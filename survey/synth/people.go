package synth

import (
	"strings"
	"time"
)

// Names are drawn uniformly from short lists (an assumption: no frequencies
// are used). They are written in capitals without accents, as they enter a
// codice fiscale.
var (
	italianSurnames = []string{"ROSSI", "RUSSO", "FERRARI", "ESPOSITO", "BIANCHI", "ROMANO", "COLOMBO", "RICCI",
		"MARINO", "GRECO", "BRUNO", "GALLO", "CONTI", "DE LUCA", "MANCINI", "COSTA", "GIORDANO", "RIZZO",
		"LOMBARDI", "MORETTI", "BARBIERI", "FONTANA", "SANTORO", "MARIANI", "RINALDI", "CARUSO", "FERRARA",
		"GALLI", "MARTINI", "LEONE", "LONGO", "GENTILE", "MARTINELLI", "VITALE", "LO RUSSO", "D'ANGELO"}
	italianMale = []string{"MARCO", "LUCA", "GIUSEPPE", "FRANCESCO", "ALESSANDRO", "ANDREA", "MATTEO", "LORENZO",
		"LEONARDO", "GABRIELE", "RICCARDO", "TOMMASO", "EDOARDO", "DAVIDE", "ANTONIO", "SALVATORE", "GIOVANNI",
		"CHRISTIAN", "SIMONE", "FEDERICO", "CIRO", "GENNARO"}
	italianFemale = []string{"SOFIA", "GIULIA", "AURORA", "ALICE", "GINEVRA", "EMMA", "GIORGIA", "BEATRICE", "ANNA",
		"MARTINA", "CHIARA", "SARA", "FRANCESCA", "ALESSIA", "NOEMI", "VITTORIA", "GRETA", "ELISA", "CAMILLA", "ASIA"}
)

// country is a country of origin: its Belfiore Z-code (birthplace in the
// codice fiscale), its ISO 3166-1 numeric code (citizenship in SINBA) and a
// few names. The countries are common origins of foreign children in Italy;
// which ones and their equal weights are an assumption.
type country struct {
	belfiore, iso          string
	surnames, male, female []string
}

var countries = []country{
	{"Z100", "008", []string{"HOXHA", "SHEHU", "DERVISHI"}, []string{"ARDIT", "KLEVIS", "ERION"}, []string{"ELIRA", "ANXHELA", "KLEA"}},
	{"Z330", "504", []string{"EL AMRANI", "BENALI", "BOUZID"}, []string{"MOHAMED", "YOUSSEF", "AYOUB"}, []string{"FATIMA", "SALMA", "AYA"}},
	{"Z129", "642", []string{"POPESCU", "IONESCU", "POPA"}, []string{"ANDREI", "IONUT", "MIHAI"}, []string{"IOANA", "ELENA", "ANDREEA"}},
	{"Z210", "156", []string{"WANG", "ZHANG", "CHEN"}, []string{"WEI", "HAO", "JUN"}, []string{"LI NA", "MEI", "XIAO"}},
	{"Z336", "818", []string{"HASSAN", "IBRAHIM", "MAHMOUD"}, []string{"AHMED", "OMAR", "KARIM"}, []string{"NOUR", "MARIAM", "HANA"}},
	{"Z352", "788", []string{"TRABELSI", "BEN SALAH", "GHARBI"}, []string{"AMINE", "SAMI", "BILEL"}, []string{"RYM", "INES", "SARRA"}},
	{"Z335", "566", []string{"OKAFOR", "ADEYEMI", "EZE"}, []string{"CHINEDU", "EMEKA", "TUNDE"}, []string{"BLESSING", "CHIOMA", "FAVOUR"}},
	{"Z138", "804", []string{"KOVALENKO", "SHEVCHENKO", "BONDARENKO"}, []string{"OLEKSANDR", "DMYTRO", "MAKSYM"}, []string{"SOFIIA", "ANASTASIIA", "DARYNA"}},
	{"Z236", "586", []string{"KHAN", "AHMAD", "HUSSAIN"}, []string{"ALI", "BILAL", "HAMZA"}, []string{"AYESHA", "ZAINAB", "SANA"}},
	{"Z249", "050", []string{"RAHMAN", "HOSSAIN", "ISLAM"}, []string{"RAKIB", "SAKIB", "TANVIR"}, []string{"NUSRAT", "TASNIM", "RIYA"}},
	{"Z343", "686", []string{"DIOP", "NDIAYE", "FALL"}, []string{"MAMADOU", "CHEIKH", "MODOU"}, []string{"AWA", "FATOU", "MARIAMA"}},
	{"Z317", "270", []string{"JALLOW", "CEESAY", "BAH"}, []string{"LAMIN", "EBRIMA", "OUSMAN"}, []string{"ISATOU", "FATOUMATA", "HAWA"}},
	{"Z319", "324", []string{"DIALLO", "BARRY", "SOW"}, []string{"ALPHA", "IBRAHIMA", "SEKOU"}, []string{"KADIATOU", "AISSATOU", "DJENABOU"}},
	{"Z313", "384", []string{"KOUASSI", "KONE", "YAO"}, []string{"KOFFI", "JUNIOR", "ISMAEL"}, []string{"AMINATA", "MARIAM", "GRACE"}},
	{"Z329", "466", []string{"TRAORE", "KEITA", "COULIBALY"}, []string{"BAKARY", "MOUSSA", "SEYDOU"}, []string{"OUMOU", "ASSETOU", "NAFI"}},
	{"Z200", "004", []string{"AHMADI", "RAHIMI", "HAIDARI"}, []string{"AHMAD", "MUSTAFA", "SAMIR"}, []string{"FARIDA", "ZAHRA", "MARYAM"}},
}

// Origins of unaccompanied foreign minors, as indices into countries
// (an assumption, equal weights).
var uascOrigins = []int{4, 5, 8, 9, 11, 12, 13, 15, 0, 7}

// fiscalCode computes a codice fiscale: surname and name codes, year, month
// letter, day (plus 40 for girls), Belfiore code of the birthplace, check
// character.
func fiscalCode(surname, name, sex string, birth time.Time, belfiore string) string {
	var b strings.Builder
	b.WriteString(surnameCode(surname))
	b.WriteString(nameCode(name))
	y := birth.Year() % 100
	b.WriteByte(byte('0' + y/10))
	b.WriteByte(byte('0' + y%10))
	b.WriteByte("ABCDEHLMPRST"[birth.Month()-1])
	d := birth.Day()
	if sex == "F" {
		d += 40
	}
	b.WriteByte(byte('0' + d/10))
	b.WriteByte(byte('0' + d%10))
	b.WriteString(belfiore)
	s := b.String()
	return s + string(checkChar(s))
}

func letters(s string) (cons, vow []byte) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte("AEIOU", c) >= 0:
			vow = append(vow, c)
		case c >= 'A' && c <= 'Z':
			cons = append(cons, c)
		}
	}
	return cons, vow
}

func pad3(cons, vow []byte) string {
	out := append(append([]byte{}, cons...), vow...)
	for len(out) < 3 {
		out = append(out, 'X')
	}
	return string(out[:3])
}

func surnameCode(s string) string {
	cons, vow := letters(s)
	return pad3(cons, vow)
}

// nameCode takes the 1st, 3rd and 4th consonant when there are four or more.
func nameCode(s string) string {
	cons, vow := letters(s)
	if len(cons) >= 4 {
		return string([]byte{cons[0], cons[2], cons[3]})
	}
	return pad3(cons, vow)
}

// Values of the characters in odd positions (1st, 3rd, ...) for the check
// character, as the decree on the codice fiscale (DM 23/12/1976) tabulates
// them; in even positions a digit counts its value and a letter its place in
// the alphabet.
var oddValues = [26]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

func checkChar(s string) byte {
	sum := 0
	for i := 0; i < 15; i++ {
		c := s[i]
		v := int(c - 'A')
		if c >= '0' && c <= '9' {
			v = int(c - '0')
		}
		if i%2 == 0 {
			v = oddValues[v]
		}
		sum += v
	}
	return byte('A' + sum%26)
}
