package quality

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// The charts are plain SVG drawn here, so the report needs no script and
// prints as it shows.

type seg struct {
	value  float64
	colour string
}

type bar struct {
	label string
	segs  []seg
	// under is drawn as a thin bar beneath the stack: a figure on its own
	// scale that must not add to the others.
	under *seg
}

func (b bar) total() float64 {
	t := 0.0
	for _, s := range b.segs {
		t += s.value
	}
	return t
}

type point struct {
	label string
	value float64
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// hbarChart draws one horizontal stacked bar per item, scaled to max; with
// percent the segments are shares and the axis reads 0-100%.
func hbarChart(bars []bar, max float64, percent bool) string {
	if len(bars) == 0 || max <= 0 {
		return ""
	}
	const labelW, plotW, rowH, top = 230.0, 560.0, 14.0, 18.0
	height := top + rowH*float64(len(bars)) + 6
	var b strings.Builder
	fmt.Fprintf(&b, `<figure><svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" role="img">`,
		num(labelW+plotW+50), num(height), num(labelW+plotW+50), num(height))
	for i := 0; i <= 4; i++ {
		x := labelW + plotW*float64(i)/4
		v := max * float64(i) / 4
		tick := strconv.FormatFloat(v, 'f', 0, 64)
		if percent {
			tick = strconv.FormatFloat(v*100, 'f', 0, 64) + "%"
		}
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ccc"/><text x="%s" y="12" text-anchor="middle">%s</text>`,
			num(x), num(top-4), num(x), num(height-4), num(x), tick)
	}
	for i, br := range bars {
		y := top + rowH*float64(i)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`, num(labelW-6), num(y+rowH-4), html.EscapeString(br.label))
		x := labelW
		for _, s := range br.segs {
			w := plotW * s.value / max
			if w <= 0 || math.IsNaN(w) {
				continue
			}
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(x), num(y+2), num(w), num(rowH-4), s.colour)
			x += w
		}
		if br.under != nil && br.under.value > 0 {
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="2" fill="%s"/>`, num(labelW), num(y+rowH-2), num(plotW*br.under.value/max), br.under.colour)
		}
		total := br.total()
		label := strconv.FormatFloat(total, 'f', 0, 64)
		if percent {
			label = pct(total)
		}
		if total > 0 {
			fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`, num(x+3), num(y+rowH-4), label)
		}
	}
	b.WriteString("</svg></figure>\n")
	return b.String()
}

// lineChart draws the points as a line over an even axis, labelled at the
// ends and at every few points.
func lineChart(pts []point) string {
	if len(pts) == 0 {
		return ""
	}
	const left, plotW, plotH, top = 50.0, 700.0, 180.0, 12.0
	max := 0.0
	for _, p := range pts {
		max = math.Max(max, p.value)
	}
	if max == 0 {
		max = 1
	}
	step := plotW
	if len(pts) > 1 {
		step = plotW / float64(len(pts)-1)
	}
	var b strings.Builder
	width, height := left+plotW+40, top+plotH+40
	fmt.Fprintf(&b, `<figure><svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" role="img">`,
		num(width), num(height), num(width), num(height))
	for i := 0; i <= 4; i++ {
		y := top + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd"/><text x="%s" y="%s" text-anchor="end">%s</text>`,
			num(left), num(y), num(left+plotW), num(y), num(left-4), num(y+3), strconv.FormatFloat(max*float64(i)/4, 'f', 0, 64))
	}
	var coords []string
	every := (len(pts) + 7) / 8
	for i, p := range pts {
		x := left + step*float64(i)
		if len(pts) == 1 {
			x = left + plotW/2
		}
		y := top + plotH - plotH*p.value/max
		coords = append(coords, num(x)+","+num(y))
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`, num(x), num(y), colLine)
		if i%every == 0 || i == len(pts)-1 {
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, num(x), num(top+plotH+16), html.EscapeString(p.label))
		}
	}
	fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, colLine, strings.Join(coords, " "))
	b.WriteString("</svg></figure>\n")
	return b.String()
}
