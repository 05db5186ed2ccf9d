package web

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The dashboard's ECharts is a custom build from assets/echarts (see
// generate.go); these tests hold the vendored bundle to its inputs.
const (
	echartsDir    = "assets/echarts"
	echartsBundle = "static/vendor/echarts-custom-5.6.0.min.js"
	// The bundle is 502,850 bytes (the full build it replaced: 1,034,102);
	// this leaves about 10% for a small addition to entry.js.
	echartsMaxBytes = 553_000
)

// echartsInputs are the files the bundle is built from, in assets/echarts.
var echartsInputs = []string{"package.json", "package-lock.json", "entry.js", "build.mjs"}

// readBuildSum reads a build.sum: "sha256  path" lines, paths from web/.
func readBuildSum(t *testing.T, file string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v: run `go generate ./web`", err)
	}
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("%s: malformed line %q", file, sc.Text())
		}
		sums[name] = sum
	}
	return sums
}

func sha256File(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestVendorBuildSum fails when an input of the ECharts build or the bundle
// changed without a rebuild: build.sum is what the last build saw.
func TestVendorBuildSum(t *testing.T) {
	sums := readBuildSum(t, filepath.Join(echartsDir, "build.sum"))
	var files []string
	for _, f := range echartsInputs {
		files = append(files, echartsDir+"/"+f)
	}
	files = append(files, echartsBundle)
	if len(sums) != len(files) {
		t.Errorf("build.sum lists %d files, want %d (%s): run `go generate ./web`", len(sums), len(files), strings.Join(files, ", "))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want, ok := sums[f]
			if !ok {
				t.Fatalf("build.sum does not list %s: run `go generate ./web`", f)
			}
			if got := sha256File(t, f); got != want {
				t.Errorf("%s changed since the last ECharts build (sha256 %s, build.sum says %s): run `go generate ./web` and commit the bundle and build.sum", f, got, want)
			}
		})
	}
}

// TestVendorRebuild builds the bundle again from the committed inputs, in a
// temp dir, and wants the vendored file byte for byte. It needs npm and
// Node.js (and the npm registry or npm's cache); CI must have them.
func TestVendorRebuild(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"npm", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not on PATH: CI must rebuild the ECharts bundle", tool)
			}
			t.Skipf("%s is not on PATH: the ECharts bundle is not rebuilt", tool)
		}
	}
	dir := t.TempDir()
	for _, f := range echartsInputs {
		b, err := os.ReadFile(filepath.Join(echartsDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := filepath.Join(dir, "out.min.js")
	for _, args := range [][]string{
		{"npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"},
		{"node", "build.mjs", "--out", out},
	} {
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(echartsBundle)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("a rebuild from %s gives %d bytes, not the vendored %s (%d bytes): run `go generate ./web` and commit the result", echartsDir, len(got), echartsBundle, len(want))
	}
	// The rebuild's build.sum names the same inputs and output.
	if a, b := readBuildSum(t, filepath.Join(dir, "build.sum")), readBuildSum(t, filepath.Join(echartsDir, "build.sum")); len(a) != len(b) {
		t.Errorf("the rebuild's build.sum lists %d files, the committed one %d", len(a), len(b))
	} else {
		for f, sum := range b {
			if a[f] != sum {
				t.Errorf("build.sum: %s is %s after a rebuild, %s committed", f, a[f], sum)
			}
		}
	}
}

// TestVendorBundle holds the bundle to its purpose: small, self-contained,
// and the one ECharts the dashboard loads.
func TestVendorBundle(t *testing.T) {
	b, err := os.ReadFile(echartsBundle)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) >= echartsMaxBytes {
		t.Errorf("%s is %d bytes, the bound is %d: is entry.js importing more than the dashboard uses?", echartsBundle, len(b), echartsMaxBytes)
	}
	body := string(b)
	for _, host := range []string{"cdn.jsdelivr", "unpkg.com", "cdnjs.cloudflare", "fastly.jsdelivr", "googleapis.com", "bootcdn", "staticfile.org"} {
		if strings.Contains(body, host) {
			t.Errorf("%s names %s: the page must load nothing from another origin", echartsBundle, host)
		}
	}
	// Any address at all is a licence link in a comment, nothing fetched.
	allowed := map[string]bool{"github.com": true, "www.apache.org": true, "www.w3.org": true}
	for _, m := range regexp.MustCompile(`https?://([^/"'\s)]+)`).FindAllStringSubmatch(body, -1) {
		if !allowed[m[1]] {
			t.Errorf("%s has the address %s", echartsBundle, m[0])
		}
	}
	for _, tc := range []struct{ want, why string }{
		{"/*! Apache ECharts 5.6.0", "the licence banner is lost"},
		{"window.echarts={init:", "dashboard.js finds no window.echarts.init"},
		// The time scale's levels come from d3.js: the reason
		// LICENSE-echarts-d3 ships beside the bundle.
		{"half-week", "no d3.js code left? then drop LICENSE-echarts-d3 and say so in VERSIONS.md"},
	} {
		if !strings.Contains(body, tc.want) {
			t.Errorf("%s lacks %q: %s", echartsBundle, tc.want, tc.why)
		}
	}
	page, err := os.ReadFile("templates/dashboard.html")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{{asset "vendor/` + filepath.Base(echartsBundle) + `"}}`; !strings.Contains(string(page), want) {
		t.Errorf("templates/dashboard.html does not load %s", want)
	}
	// One ECharts only, with its licences beside it.
	vendor, err := os.ReadDir("static/vendor")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, e := range vendor {
		have[e.Name()] = true
		if strings.HasPrefix(e.Name(), "echarts") && e.Name() != filepath.Base(echartsBundle) {
			t.Errorf("static/vendor/%s is embedded too: only %s is loaded", e.Name(), filepath.Base(echartsBundle))
		}
	}
	for _, f := range []string{"LICENSE-echarts", "NOTICE-echarts", "LICENSE-echarts-d3", "VERSIONS.md"} {
		if !have[f] {
			t.Errorf("static/vendor/%s is missing", f)
		}
	}
}
