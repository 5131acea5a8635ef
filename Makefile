# Makefile: builds khabar, runs it with a private PostgreSQL, and runs its tests ("make help" lists the targets).

CC      ?= cc
PKGS    := libmicrohttpd jansson libpq libutf8proc libcmark libcrypto libxml-2.0 libcurl libxxhash
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude -MMD -MP
ifneq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes),)
CFLAGS  += $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS))
else
CFLAGS  += -I/usr/include/postgresql -I/usr/include/libxml2
LDLIBS  += -lmicrohttpd -ljansson -lpq -lutf8proc -lcmark -lcrypto -lxml2 -lcurl -lxxhash
endif
LDLIBS  += -lpthread -lm

ifdef SANITIZE
BUILD   := build/san
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all -O1
LDFLAGS += -fsanitize=$(SANITIZE)
else
BUILD   := build
endif

# Sources in folders by layer (server/http, handlers, model, text, db, infra, cli); headers
# in include/ mirror them, private ones sit beside their sources.
SRC       := $(wildcard server/*.c server/*/*.c)
OBJ       := $(SRC:server/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/embedded.o
LIB_OBJ   := $(filter-out $(BUILD)/obj/main.o,$(OBJ))
# Unit tests: tests/unit/<layer>/test_<module>.c, on cmocka, each into $(BUILD)/tests/<layer>/.
UNIT_SRC  := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

.PHONY: all deps run stop-db test unit clean format bench bench-import bench-compare help
all: $(BUILD)/khabar

# One line a target.
help:
	@echo 'make            build build/khabar (SANITIZE=address,undefined: into build/san/)'
	@echo 'make run        serve the sample articles on :8080 (PORT=...), state in var/'
	@echo 'make stop-db    stop the PostgreSQL that make run started'
	@echo 'make test       every test, plainly and under ASan+UBSan: "N passed, M failed"'
	@echo 'make unit       build the unit tests'
	@echo 'make bench      throughput and latency figures against a real khabar'
	@echo 'make bench-compare BEFORE=path/to/old/khabar   two builds side by side, in rounds'
	@echo 'make bench-import BENCH_IMPORT_COUNT=1000000   khabar import against psql \copy of the same rows'
	@echo 'make fuzz       the libFuzzer targets, FUZZ_SECONDS each (default 60)'
	@echo 'make security   attacks (sqlmap, slowhttptest, malformed HTTP) on a real khabar'
	@echo 'make deps       install the Debian packages khabar needs (as root)'
	@echo 'make format     clang-format the C sources'
	@echo 'make clean      remove build/'

$(BUILD)/khabar: $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: server/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# migrations, openapi.yaml and the frontend are compiled in: the binary needs no files beside it.
$(BUILD)/gen/embedded.c: scripts/embed.sh $(wildcard migrations/*.sql) openapi.yaml web/index.html web/style.css \
		$(wildcard web/src/*.js web/fonts/*.woff2) | $(BUILD)/gen
	scripts/embed.sh $@

$(BUILD)/obj/embedded.o: $(BUILD)/gen/embedded.c | $(BUILD)/obj
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS) $(UNIT_LIBS)

$(BUILD)/obj $(BUILD)/gen:
	mkdir -p $@

# Installs the Debian packages khabar needs when any is missing (as root; no-op otherwise).
deps:
	@scripts/install-deps.sh

# The port is checked before anything is installed, started or printed.
run:
	@scripts/run.sh check-port
	@$(MAKE) --no-print-directory deps all
	@scripts/run.sh

stop-db:
	@scripts/pg.sh stop

# Unit and integration tests, then the same under AddressSanitizer + UndefinedBehaviorSanitizer.
test: deps
	@scripts/test.sh

bench: all
	@scripts/bench.sh

# khabar import into an empty archive against psql \copy of the same rows (BENCH_IMPORT_COUNT).
bench-import: all
	@scripts/bench_import.sh

# Two builds on one archive in alternating rounds: the median of each and their ratio.
bench-compare: all
	@BEFORE=$(BEFORE) scripts/bench_compare.sh

unit: $(BUILD)/khabar $(UNIT_BIN)

clean:
	rm -rf build

format:
	clang-format -i server/*.c server/*/*.[ch] include/*.h include/*/*.h tests/unit/*.h tests/unit/*/*.[ch]

-include $(OBJ:.o=.d) $(UNIT_BIN:=.d)

# Fuzzing (tests/fuzz/): builds the libFuzzer targets with clang, ASan and UBSan into build/fuzz/
# and runs each for FUZZ_SECONDS seconds from its seed corpus; ends with "# N passed, M failed".
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# Attack tests (sqlmap, slowhttptest, malformed HTTP) against a real khabar; installs sqlmap and
# slowhttptest when missing; a few minutes. Ends with "N passed, M failed". See scripts/security.sh.
.PHONY: security
security: deps
	@scripts/security.sh
