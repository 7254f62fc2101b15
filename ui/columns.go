package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// columns lays out its objects as a table of n columns, row by row: each
// column as wide as its widest cell, each row as tall as its tallest, and the
// width left over given to the column stretch (the one whose text can be
// shortened, such as a name). Fyne's grid makes every column as wide as the
// widest cell of all, which widens a table of short counts beside one long
// button past a small screen.
type columns struct {
	n, stretch int
}

func (c columns) sizes(objs []fyne.CanvasObject) (widths, heights []float32) {
	widths = make([]float32, c.n)
	heights = make([]float32, (len(objs)+c.n-1)/c.n)
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		widths[i%c.n] = max(widths[i%c.n], m.Width)
		heights[i/c.n] = max(heights[i/c.n], m.Height)
	}
	return widths, heights
}

func (c columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	widths, heights := c.sizes(objs)
	var s fyne.Size
	for _, w := range widths {
		s.Width += w
	}
	for _, h := range heights {
		s.Height += h
	}
	pad := theme.Padding()
	s.Width += pad * float32(max(c.n-1, 0))
	s.Height += pad * float32(max(len(heights)-1, 0))
	return s
}

func (c columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	widths, heights := c.sizes(objs)
	if extra := size.Width - c.MinSize(objs).Width; extra > 0 {
		widths[c.stretch] += extra
	}
	pad := theme.Padding()
	var y float32
	for r, h := range heights {
		var x float32
		for col, w := range widths {
			i := r*c.n + col
			if i >= len(objs) {
				break
			}
			objs[i].Move(fyne.NewPos(x, y))
			objs[i].Resize(fyne.NewSize(w, h))
			x += w + pad
		}
		y += h + pad
	}
}
