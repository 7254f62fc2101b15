package survey

import (
	"math"
	"strconv"
	"strings"
)

// ParseNumber reads a number as an Italian office writes it: the comma
// separates the decimals and the point (or a space) groups the thousands,
// so "180.000" is 180000 and "1.234,5" is 1234.5. whole asks for a whole
// number. It refuses what could be read two ways rather than guess:
//
//   - grouping that is not in threes ("1.23.4", "12.34,5");
//   - a comma before a point ("1,234.5", the English way);
//   - in a decimal answer, one point followed by exactly three digits and no
//     comma ("1.234": a thousand and more, or one and a fraction?).
//
// A single point followed by other than three digits ("2.5", "0.75"), or
// after a zero ("0.125"), is a decimal point, as a researcher used to other
// software types it. What it
// refuses comes with the reason, in Italian and English.
func ParseNumber(s string, whole bool) (float64, *Text) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, needNumber()
	}
	sign := ""
	if s[0] == '-' || s[0] == '+' {
		sign, s = s[:1], strings.TrimSpace(s[1:])
	}
	// Spaces group thousands as points do ("180 000", also the no-break
	// spaces that word processors put there).
	s = strings.NewReplacer(" ", ".", "\u00a0", ".", "\u202f", ".").Replace(s)
	intPart, frac, hasComma := strings.Cut(s, ",")
	if hasComma && strings.ContainsAny(frac, ",") {
		return 0, &Text{IT: "una sola virgola, prima dei decimali (1.234,5)", EN: "one comma only, before the decimals (1.234,5)"}
	}
	if hasComma && strings.Contains(frac, ".") {
		return 0, &Text{IT: "la virgola separa i decimali e il punto le migliaia: 1.234,5", EN: "the comma separates the decimals and the point the thousands: 1.234,5"}
	}
	if hasComma && !allDigits(frac) {
		return 0, needNumber()
	}
	groups := strings.Split(intPart, ".")
	if !hasComma && len(groups) == 2 && !whole && (len(groups[1]) != 3 || strings.HasPrefix(groups[0], "0")) {
		// "2.5", "0.125": a decimal point (no thousands start with 0).
		if !allDigits(groups[0]) || !allDigits(groups[1]) {
			return 0, needNumber()
		}
		intPart, frac, hasComma, groups = groups[0], groups[1], true, groups[:1]
	}
	if !hasComma && len(groups) == 2 && !whole {
		return 0, &Text{IT: "«" + s + "» si legge in due modi: scrivi " + groups[0] + groups[1] + " per il numero intero, " +
			groups[0] + "," + groups[1] + " per i decimali",
			EN: "“" + s + "” reads two ways: type " + groups[0] + groups[1] + " for the whole number, " + groups[0] + "," + groups[1] + " for the decimals"}
	}
	for i, g := range groups {
		if !allDigits(g) {
			return 0, needNumber()
		}
		if len(groups) > 1 && (i == 0 && len(g) > 3 || i > 0 && len(g) != 3) {
			return 0, &Text{IT: "il punto separa le migliaia, a gruppi di tre cifre: 1.234.567", EN: "the point groups the thousands, three digits at a time: 1.234.567"}
		}
	}
	if hasComma && whole {
		return 0, &Text{IT: "serve un numero intero, senza decimali", EN: "a whole number is needed, without decimals"}
	}
	digits := strings.Join(groups, "")
	if hasComma {
		if frac == "" {
			return 0, needNumber()
		}
		digits += "." + frac
	}
	f, err := strconv.ParseFloat(sign+digits, 64)
	if err != nil || math.IsInf(f, 0) || whole && math.Abs(f) > 1e15 {
		return 0, &Text{IT: "numero troppo grande", EN: "number too large"}
	}
	return f, nil
}

func needNumber() *Text {
	return &Text{IT: "serve un numero: cifre, la virgola per i decimali (2,5) e, se si vuole, il punto per le migliaia (1.234,5)",
		EN: "a number is needed: digits, the comma for the decimals (2,5) and, if wanted, the point for the thousands (1.234,5)"}
}
