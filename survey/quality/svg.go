package quality

import (
	"math"
	"strconv"
	"strings"
)

// The charts are plain SVG, so the report needs no script and prints as it
// shows. Their geometry is computed here as numbers; the markup is in the
// template, which escapes every label like any other text.

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

// chart is one SVG figure, drawn in this order: lines, rectangles, circles,
// the polyline, texts.
type chart struct {
	Width, Height string
	Lines         []svgLine
	Rects         []svgRect
	Circles       []svgCircle
	Polyline      *svgPolyline
	Texts         []svgText
}

type (
	svgLine     struct{ X1, Y1, X2, Y2, Stroke string }
	svgRect     struct{ X, Y, W, H, Fill string }
	svgCircle   struct{ X, Y, Fill string }
	svgPolyline struct{ Points, Stroke string }
	svgText     struct{ X, Y, Anchor, Text string }
)

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// hbarChart draws one horizontal stacked bar per item, scaled to max; with
// percent the segments are shares and the axis reads 0-100%. It is nil when
// there is nothing to draw.
func hbarChart(bars []bar, max float64, percent bool) *chart {
	if len(bars) == 0 || max <= 0 {
		return nil
	}
	const labelW, plotW, rowH, top = 230.0, 560.0, 14.0, 18.0
	height := top + rowH*float64(len(bars)) + 6
	c := &chart{Width: num(labelW + plotW + 50), Height: num(height)}
	for i := 0; i <= 4; i++ {
		x := labelW + plotW*float64(i)/4
		v := max * float64(i) / 4
		tick := strconv.FormatFloat(v, 'f', 0, 64)
		if percent {
			tick = strconv.FormatFloat(v*100, 'f', 0, 64) + "%"
		}
		c.Lines = append(c.Lines, svgLine{num(x), num(top - 4), num(x), num(height - 4), "#ccc"})
		c.Texts = append(c.Texts, svgText{num(x), "12", "middle", tick})
	}
	for i, br := range bars {
		y := top + rowH*float64(i)
		c.Texts = append(c.Texts, svgText{num(labelW - 6), num(y + rowH - 4), "end", br.label})
		x := labelW
		for _, s := range br.segs {
			w := plotW * s.value / max
			if w <= 0 || math.IsNaN(w) {
				continue
			}
			c.Rects = append(c.Rects, svgRect{num(x), num(y + 2), num(w), num(rowH - 4), s.colour})
			x += w
		}
		if br.under != nil && br.under.value > 0 {
			c.Rects = append(c.Rects, svgRect{num(labelW), num(y + rowH - 2), num(plotW * br.under.value / max), "2", br.under.colour})
		}
		total := br.total()
		label := strconv.FormatFloat(total, 'f', 0, 64)
		if percent {
			label = pct(total)
		}
		if total > 0 {
			c.Texts = append(c.Texts, svgText{num(x + 3), num(y + rowH - 4), "start", label})
		}
	}
	return c
}

// lineChart draws the points as a line over an even axis, labelled at the
// ends and at every few points. It is nil when there are no points.
func lineChart(pts []point) *chart {
	if len(pts) == 0 {
		return nil
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
	c := &chart{Width: num(left + plotW + 40), Height: num(top + plotH + 40)}
	for i := 0; i <= 4; i++ {
		y := top + plotH - plotH*float64(i)/4
		c.Lines = append(c.Lines, svgLine{num(left), num(y), num(left + plotW), num(y), "#ddd"})
		c.Texts = append(c.Texts, svgText{num(left - 4), num(y + 3), "end", strconv.FormatFloat(max*float64(i)/4, 'f', 0, 64)})
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
		c.Circles = append(c.Circles, svgCircle{num(x), num(y), colLine})
		if i%every == 0 || i == len(pts)-1 {
			c.Texts = append(c.Texts, svgText{num(x), num(top + plotH + 16), "middle", p.label})
		}
	}
	c.Polyline = &svgPolyline{strings.Join(coords, " "), colLine}
	return c
}
