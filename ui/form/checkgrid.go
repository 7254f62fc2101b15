package form

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// checkGrid lays a long list of checkboxes out in as many columns (up to
// maxCols) as the width it gets holds, in reading order. Its minimum width
// is one column's: Fyne's checkboxes do not wrap their labels, and a fixed
// two-column grid of long labels made the form, and with it the window,
// wider than the screen once the list of findings opened beside it.
//
// The height depends on the columns, which are known only once the grid is
// laid out: when they change, relayout is called (Form.heightChanging) to
// lay the page out again at the new height.
type checkGrid struct {
	maxCols  int
	cols     int
	relayout func()
}

func (g *checkGrid) cell(objs []fyne.CanvasObject) (fyne.Size, int) {
	var cell fyne.Size
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		n++
		cell = cell.Max(o.MinSize())
	}
	return cell, n
}

func (g *checkGrid) height(cell fyne.Size, n, cols int) float32 {
	rows := (n + cols - 1) / cols
	if rows == 0 {
		return 0
	}
	return float32(rows)*cell.Height + float32(rows-1)*theme.Padding()
}

// MinSize implements fyne.Layout.
func (g *checkGrid) MinSize(objs []fyne.CanvasObject) fyne.Size {
	cell, n := g.cell(objs)
	return fyne.NewSize(cell.Width, g.height(cell, n, max(1, g.cols)))
}

// Layout implements fyne.Layout.
func (g *checkGrid) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	cell, n := g.cell(objs)
	pad := theme.Padding()
	cols := 1
	if cell.Width > 0 {
		cols = int((size.Width + pad) / (cell.Width + pad))
	}
	cols = max(1, min(cols, g.maxCols, max(n, 1)))
	if cols != g.cols {
		g.cols = cols
		if g.relayout != nil {
			g.relayout()
		}
	}
	w := (size.Width - float32(cols-1)*pad) / float32(cols)
	i := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		row, col := i/cols, i%cols
		o.Move(fyne.NewPos(float32(col)*(w+pad), float32(row)*(cell.Height+pad)))
		o.Resize(fyne.NewSize(w, cell.Height))
		i++
	}
}
