package survey

import (
	"strings"
	"unicode"
)

// Entry is one item of a reference list.
type Entry struct {
	Code   string `json:"code"`
	Label  Text   `json:"label"`
	Detail string `json:"detail,omitempty"` // e.g. the province, or the validity of a ceased place
}

// LookupList is a large reference list (municipalities, countries) searched
// by name or code as the person types. Labels are folded (lowercase, no
// accents, apostrophes and dashes as spaces) once, when the list is built.
type LookupList struct {
	name    string
	entries []Entry
	byCode  map[string]int
	keys    []string // folded labels, Italian and English, one per entry
}

func newLookupList(name string, entries []Entry) *LookupList {
	l := &LookupList{name: name, entries: entries, byCode: make(map[string]int, len(entries)),
		keys: make([]string, len(entries))}
	for i, e := range entries {
		if _, dup := l.byCode[e.Code]; !dup {
			l.byCode[e.Code] = i
		}
		k := " " + Fold(e.Label.IT)
		if e.Label.EN != "" && e.Label.EN != e.Label.IT {
			k += " | " + Fold(e.Label.EN)
		}
		l.keys[i] = k
	}
	return l
}

// Name is the list's name, as questions refer to it.
func (l *LookupList) Name() string { return l.name }

// Len is the number of entries.
func (l *LookupList) Len() int { return len(l.entries) }

// Entries returns the entries in list order; the caller must not modify them.
func (l *LookupList) Entries() []Entry { return l.entries }

// Get returns the entry with the given code (the first, where a code has
// several, as a place with several names in history).
func (l *LookupList) Get(code string) (Entry, bool) {
	i, ok := l.byCode[code]
	if !ok {
		return Entry{}, false
	}
	return l.entries[i], true
}

// Search returns up to limit entries matching query, best first: the entry
// whose code is the query, then labels equal to it, then labels starting
// with it, then labels with a word starting with it, then labels containing it. Every word of the query
// must occur. Case, accents and apostrophes do not matter.
func (l *LookupList) Search(query string, limit int) []Entry {
	if limit <= 0 {
		return nil
	}
	q := Fold(query)
	if q == "" {
		return nil
	}
	words := strings.Fields(q)
	var tiers [4][]int
	var out []Entry
	if i, ok := l.byCode[strings.ToUpper(strings.TrimSpace(query))]; ok {
		out = append(out, l.entries[i])
	}
	full := limit - len(out)
	for i, k := range l.keys {
		if len(tiers[0]) >= full {
			break // exact matches fill the page: nothing can rank above them
		}
		pos := strings.Index(k, q)
		if pos < 0 {
			if len(words) < 2 || !allWords(k, words) {
				continue
			}
			pos = 2 // a match of separate words ranks last
		}
		tier := 3
		switch {
		case pos == 1 && (len(k) == len(q)+1 || strings.HasPrefix(k[len(q)+1:], " | ")):
			tier = 0
		case pos == 1:
			tier = 1
		case k[pos-1] == ' ':
			tier = 2
		}
		if len(tiers[tier]) < full {
			tiers[tier] = append(tiers[tier], i)
		}
	}
	for _, t := range tiers {
		for _, i := range t {
			if len(out) >= limit {
				return out
			}
			if len(out) > 0 && out[0].Code == l.entries[i].Code && out[0].Label == l.entries[i].Label {
				continue
			}
			out = append(out, l.entries[i])
		}
	}
	return out
}

func allWords(k string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(k, " "+w) {
			return false
		}
	}
	return true
}

// Fold makes a string comparable for search: lowercase, Latin accents
// removed, every run of characters other than letters and digits one space.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		r = unicode.ToLower(r)
		if f, ok := foldTable[r]; ok {
			b.WriteString(f)
			space = false
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// foldTable covers the accented letters of Italian place names and of the
// other languages spoken in Italy (German, French, Slovene, Ladin) and of
// country names.
var foldTable = func() map[rune]string {
	m := map[rune]string{}
	for base, accented := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ďđ", "e": "èéêëēĕėęě", "g": "ĝğġģ", "h": "ĥħ",
		"i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķ", "l": "ĺļľŀł", "n": "ñńņňŉ", "o": "òóôõöøōŏő",
		"r": "ŕŗř", "s": "śŝşšș", "t": "ţťŧț", "u": "ùúûüũūŭůűų", "w": "ŵ", "y": "ýÿŷ", "z": "źżž",
		"ae": "æ", "oe": "œ", "ss": "ß",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()
