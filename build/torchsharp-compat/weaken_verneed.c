/*
 * weaken_verneed FILE VERSION
 *
 * Marks the version need VERSION (e.g. GLIBCXX_3.4.32) of the ELF64 shared library FILE as weak
 * (VER_FLG_WEAK in .gnu.version_r), in place, so that the dynamic loader warns instead of refusing
 * to load the library when the system library lacks that version. Exit 0 when the flag is set
 * (or was already), 3 when FILE needs no such version, 1 on any error.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, const char *file) {
    fprintf(stderr, "weaken_verneed: %s: %s\n", file, what);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: weaken_verneed FILE VERSION\n");
        return 1;
    }
    const char *path = argv[1], *wanted = argv[2];
    FILE *f = fopen(path, "r+b");
    if (!f) return fail("cannot open for writing", path);
    if (fseek(f, 0, SEEK_END) != 0) return fail("cannot seek", path);
    long size = ftell(f);
    if (size < (long)sizeof(Elf64_Ehdr)) return fail("too small to be an ELF file", path);
    unsigned char *data = malloc((size_t)size);
    if (!data) return fail("out of memory", path);
    rewind(f);
    if (fread(data, 1, (size_t)size, f) != (size_t)size) return fail("cannot read", path);

    Elf64_Ehdr *eh = (Elf64_Ehdr *)data;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64)
        return fail("not an ELF64 file", path);
    if (eh->e_shoff == 0 || eh->e_shoff + (Elf64_Off)eh->e_shnum * sizeof(Elf64_Shdr) > (Elf64_Off)size)
        return fail("section headers out of range", path);
    Elf64_Shdr *sh = (Elf64_Shdr *)(data + eh->e_shoff);

    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_GNU_verneed) continue;
        Elf64_Shdr *strtab = &sh[sh[i].sh_link];
        const char *strings = (const char *)(data + strtab->sh_offset);
        Elf64_Off off = sh[i].sh_offset;
        for (;;) {
            Elf64_Verneed *vn = (Elf64_Verneed *)(data + off);
            Elf64_Off aoff = off + vn->vn_aux;
            for (int j = 0; j < vn->vn_cnt; j++) {
                Elf64_Vernaux *va = (Elf64_Vernaux *)(data + aoff);
                if (strcmp(strings + va->vna_name, wanted) == 0) {
                    va->vna_flags |= VER_FLG_WEAK;
                    long at = (long)((unsigned char *)&va->vna_flags - data);
                    if (fseek(f, at, SEEK_SET) != 0 || fwrite(&va->vna_flags, sizeof va->vna_flags, 1, f) != 1)
                        return fail("cannot write", path);
                    fclose(f);
                    return 0;
                }
                if (va->vna_next == 0) break;
                aoff += va->vna_next;
            }
            if (vn->vn_next == 0) break;
            off += vn->vn_next;
        }
    }
    fclose(f);
    return 3;
}
