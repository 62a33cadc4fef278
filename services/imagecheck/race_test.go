//go:build race

package imagecheck

// raceEnabled is true under the race detector, which slows the drawing of
// pictures tenfold: the tests that draw many then draw fewer.
const raceEnabled = true
