package ui

import (
	"fyne.io/fyne/v2"

	"sinba/ui/dialogs"
)

// The screens' buttons take Enter while they hold the focus, as Space: a
// person who reaches one with Tab presses it with either key.

// newButton is a screen's button; tapped runs on a tap, Space or Enter.
func newButton(label string, tapped func()) *dialogs.Button {
	return dialogs.NewButton(label, nil, tapped, nil)
}

// newButtonWithIcon is newButton with an icon.
func newButtonWithIcon(label string, icon fyne.Resource, tapped func()) *dialogs.Button {
	return dialogs.NewButton(label, icon, tapped, nil)
}
