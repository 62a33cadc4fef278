//go:build !race

package imagecheck

const raceEnabled = false
