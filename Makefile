# HyOpps — the only build system.
#   make            build ./hyopps
#   make run        install missing packages, build, start on the embedded default
#   make test       install missing packages, build, run every test (summary at the end)
#   make bench      benchmarks (numbers in BENCHMARKS.md)
#   make install    PREFIX=/usr/local DESTDIR=
#   SANITIZE=1      AddressSanitizer + UBSan build (in build-san/)

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
PKGS      := ncursesw formw menuw panelw sqlite3 libcurl libcjson libsodium libjwt inih
TEST_PKGS := cmocka

ifeq ($(SANITIZE),1)
BUILD     := build-san
OPT       := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDSAN     := -fsanitize=address,undefined
else
BUILD     := build
OPT       := -O2 -g
LDSAN     :=
endif

# pkg-config is evaluated lazily ('='), so 'make deps' can run before it exists.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# libcsv (Debian libcsv-dev) has no .pc file: linked by name.
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lcsv -lcrypt -lpthread -lm
CFLAGS_ALL = -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE $(OPT) $(PKG_CFLAGS) \
             -DHYOPPS_VERSION='"$(VERSION)"' -Isrc -Iui -I$(BUILD)/gen $(CFLAGS)
LDFLAGS_ALL = $(LDSAN) $(LDFLAGS)

CORE_SRC := $(filter-out src/main.c,$(wildcard src/*.c src/integrations/*.c))
UI_SRC   := $(wildcard ui/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o
UI_OBJ   := $(UI_SRC:%.c=$(BUILD)/obj/%.o)
MIGRATIONS := $(sort $(wildcard db/migrations/*.sql))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTLIB_SRC := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

.SECONDARY:

.PHONY: hyopps all deps deps-test run test check unit bench install uninstall clean

# ./hyopps is the normal build's binary; the sanitizer build stays in build-san/.
all: $(BUILD)/hyopps
ifneq ($(SANITIZE),1)
	@# copy, then rename: replaces ./hyopps even while a session runs it
	@cp $(BUILD)/hyopps .hyopps.new && mv -f .hyopps.new hyopps
endif

hyopps: all

$(BUILD)/hyopps: $(BUILD)/obj/src/main.o $(BUILD)/libhyopps_ui.a $(BUILD)/libhyopps.a
	$(CC) -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS)

$(BUILD)/libhyopps.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libhyopps_ui.a: $(UI_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

# The core never includes curses: fail the build if it does.
$(BUILD)/obj/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	@if grep -qE '#include *[<"](n?curses|form|menu|panel)\.h' $<; then \
	  echo "$<: src/ must not include curses (see DESIGN.md)" >&2; exit 1; fi
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

# Migrations are embedded into the binary at build time.
$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -o $@ $<

$(BUILD)/gen/migrations.c: $(BUILD)/tools/embed $(MIGRATIONS)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed $@ $(MIGRATIONS)

$(BUILD)/obj/gen/migrations.o: $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# Unit tests: one binary per tests/unit/test_*.c, linked with the helpers in tests/unit/*.c.
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TESTLIB_OBJ) $(BUILD)/libhyopps_ui.a $(BUILD)/libhyopps.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS) $(shell pkg-config --libs $(TEST_PKGS))

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(TESTLIB_OBJ) $(BUILD)/libhyopps_ui.a $(BUILD)/libhyopps.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS) $(shell pkg-config --libs $(TEST_PKGS))

deps:
	@tools/deps.sh build

deps-test:
	@tools/deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	./hyopps

test: deps-test
	@$(MAKE) --no-print-directory check

# Builds everything and runs every test; tests/run.sh prints 'N passed, N failed'.
check: all $(UNIT_BIN)
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/run.sh

unit: $(UNIT_BIN)

bench: deps-test
	@$(MAKE) --no-print-directory hyopps $(BENCH_BIN)
	@BUILD=$(BUILD) tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/hyopps
	install -m 0755 $(BUILD)/hyopps $(DESTDIR)$(PREFIX)/bin/hyopps
	install -m 0644 doc/hyopps.1 $(DESTDIR)$(PREFIX)/share/man/man1/hyopps.1
	install -m 0644 config.example.ini $(DESTDIR)$(PREFIX)/share/doc/hyopps/config.example.ini
	sed 's|/usr/local/bin/hyopps|$(PREFIX)/bin/hyopps|; s|/usr/local/share|$(PREFIX)/share|' doc/hyopps-worker.service \
	    >$(DESTDIR)$(PREFIX)/share/doc/hyopps/hyopps-worker.service
	chmod 0644 $(DESTDIR)$(PREFIX)/share/doc/hyopps/hyopps-worker.service

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/hyopps $(DESTDIR)$(PREFIX)/share/man/man1/hyopps.1
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/hyopps

clean:
	rm -rf build build-san hyopps

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
