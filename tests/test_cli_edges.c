/* test_cli_edges.c - detect at the edges a new user meets: no images means no run folder and no
 * "Results saved"; sources that cannot be read (image URLs, webcams, other formats) said in words;
 * TIFF images read; two images with one file stem kept apart and recognisable; -o or --project
 * naming a file; every message prefixed "ghostyolo VERB: ". Through the real binary. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#include <tiffio.h>

#include "clirun.h"
#include "testutil.h"

static const char *weights(void)
{
    return gy_test_shared("weights/yolov8n.safetensors");
}

static int exists(const char *rel)
{
    return access(tmp_file(rel), F_OK) == 0;
}

static void setup(void)
{
    cli_setup("cli_edges");
}

static void teardown(void)
{
    cli_teardown();
}

/* No images: an empty standard input, an empty folder, a folder of other files. Nothing is made
 * and nothing is said to be saved. */
START_TEST(no_images_no_run_folder)
{
    shell("mkdir -p empty notes && echo x > notes/readme.md");
    static const char *const srcs[] = {"-", "empty", "notes", "'empty/*.jpg'"};
    for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
        int rc = run("detect -w '%s' %s < /dev/null", weights(), srcs[i]);
        ck_assert_msg(i == 3 ? rc == 65 : rc == 66, "%s: exit %d", srcs[i], rc);
        if (i < 3)
            err_has("ghostyolo detect: no images or videos in the sources given\n");
        err_lacks("Results saved");
        ck_assert_msg(!exists("runs"), "%s: a run folder was made", srcs[i]);
    }
    /* a source that is only an error: reported, and again nothing made */
    ck_assert_int_eq(run("detect -w '%s' - < notes/readme.md", weights()), 65);
    err_has("image 1/? x: error: No such file or directory");
    ck_assert(!exists("runs"));
}
END_TEST

/* Every input failing: the errors, exit 65, and no run folder left (-o's folder included when
 * this run made it); an existing -o folder stays. Nothing saved for lack of boxes: said. */
START_TEST(nothing_saved)
{
    shell("echo text > bad.jpg && mkdir keep");
    ck_assert_int_eq(run("detect -w '%s' bad.jpg missing.jpg", weights()), 65);
    err_has("image 1/2 bad.jpg: error: not a readable image");
    err_has("image 2/2 missing.jpg: error: No such file or directory");
    err_lacks("Results saved");
    ck_assert(!exists("runs"));
    ck_assert_int_eq(run("detect -w '%s' -o made/sub bad.jpg", weights()), 65);
    ck_assert(!exists("made"));
    ck_assert_int_eq(run("detect -w '%s' -o keep bad.jpg", weights()), 65);
    ck_assert(exists("keep"));
    /* a grey picture has no boxes: with only --save-txt nothing is written */
    unsigned char *grey = malloc(160 * 120 * 3);
    ck_assert_ptr_nonnull(grey);
    memset(grey, 128, 160 * 120 * 3);
    ck_assert(stbi_write_png(tmp_file("grey.png"), 160, 120, 3, grey, 160 * 3));
    free(grey);
    ck_assert_int_eq(run("detect -w '%s' --imgsz 160 --no-save --save-txt grey.png", weights()), 0);
    err_has("grey.png: 128x160 (no detections), ");
    err_has("Nothing to save: no boxes found\n");
    err_lacks("Results saved");
    err_lacks("labels saved");
    ck_assert(!exists("runs/detect/predict"));
    /* and a run that saved something says where */
    ck_assert_int_eq(run("detect -w '%s' --imgsz 160 grey.png", weights()), 0);
    err_has("Results saved to runs/detect/predict\n");
    ck_assert(exists("runs/detect/predict/grey.png"));
}
END_TEST

/* What cannot be read is said in words; a folder's videos are items (read as videos, after its
 * images), its other files are not; a video under an image's name is read as the video it is. */
START_TEST(unsupported_sources)
{
    shell("mkdir -p f && cp '%s' f/bus.jpg && printf '\\000\\000\\000\\030ftypisom' > f/clip.mp4 && "
          "cp f/clip.mp4 f/clip.MKV && cp f/clip.mp4 movie.jpg && printf 'P6\\n1 1\\n255\\nabc' > "
          "p.ppm && printf 'PF\\n1 1\\n-1\\n' > f.pfm && echo notes > f/notes.txt",
          gy_test_shared("images/bus.jpg"));
    ck_assert_int_eq(run("detect --no-save --imgsz 160 -w '%s' https://ultralytics.com/images/bus.jpg "
                         "0 f movie.jpg p.ppm f.pfm", weights()), 65);
    char *e = read_text(errpath);
    static const char *const want[] = {
        "image 1/8 https://ultralytics.com/images/bus.jpg: error: an image URL: not supported "
        "(download the image and give its path)\n",
        "stream 2/8 0: error: a webcam index: not supported (ghostyolo has no camera capture; give "
        "a video file or a stream URL such as rtsp://HOST/PATH)\n",
        "image 3/8 f/bus.jpg: 160x128 ",
        "video 4/8 f/clip.MKV: error: not a video in one of the formats read (",
        "video 5/8 f/clip.mp4: error: not a video in one of the formats read (",
        "video 6/8 movie.jpg: error: not a video in one of the formats read (",
        "image 7/8 p.ppm: error: a PNM/PPM/PGM image: not supported\n",
        "image 8/8 f.pfm: error: a PFM (portable float map) image: not supported\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(e, want[i]) != NULL, "stderr lacks '%s':\n%s", want[i], e);
    ck_assert_ptr_null(strstr(e, "stb_image"));
    ck_assert_ptr_null(strstr(e, "notes.txt"));
    free(e);
}
END_TEST

/* A TIFF among a folder's images is read as cv2 reads it: bus.jpg's pixels stored as a TIFF give
 * bus.jpg's detections; the annotated copy is written as PNG. */
START_TEST(tiff_images)
{
    shell("mkdir -p f && cp '%s' f/a.jpg", gy_test_shared("images/bus.jpg"));
    gy_image *img = NULL;
    gy_error err;
    ck_assert_int_eq(gy_image_load(tmp_file("f/a.jpg"), &img, &err), GY_OK);
    TIFF *t = TIFFOpen(tmp_file("f/b.tif"), "w");
    ck_assert_ptr_nonnull(t);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)img->width);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)img->height);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
    for (int y = 0; y < img->height; y++)
        ck_assert(TIFFWriteScanline(t, img->data + (size_t)y * (size_t)img->width * 3, (uint32_t)y,
                                    0) == 1);
    TIFFClose(t);
    gy_image_free(img);
    ck_assert_int_eq(run("detect --json --imgsz 320 -o out -w '%s' f", weights()), 0);
    char *o = read_text(outpath);
    char *nl = strchr(o, '\n');
    ck_assert_ptr_nonnull(nl);
    *nl = '\0';
    char *second = nl + 1;
    /* the same line but the file name */
    char *a = strstr(o, "\"width\""), *b = strstr(second, "\"width\"");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(a, strtok(b, "\n"));
    ck_assert_ptr_nonnull(strstr(second, "\"image\":\"f/b.tif\""));
    free(o);
    ck_assert(exists("out/b.png"));
}
END_TEST

/* Two images with one file stem: x.jpg from two folders -> x, x_2; bus.jpg then bus.bmp ->
 * bus, bus_bmp (recognisable), said as "file stem". */
START_TEST(same_stem_names)
{
    int w, h, c;
    unsigned char *px = stbi_load(gy_test_shared("images/bus.jpg"), &w, &h, &c, 3);
    ck_assert_ptr_nonnull(px);
    shell("mkdir -p a b && cp '%s' a/bus.jpg && cp a/bus.jpg b/bus.jpg", gy_test_shared("images/bus.jpg"));
    ck_assert(stbi_write_bmp(tmp_file("a/bus.bmp"), w, h, 3, px));
    free(px);
    ck_assert_int_eq(run("detect --save-txt --imgsz 160 -o out -w '%s' a/bus.jpg a/bus.bmp b/bus.jpg "
                         "a/bus.bmp", weights()), 0);
    err_has("ghostyolo detect: warning: a/bus.bmp has the file stem of an earlier source; its "
            "results are saved as bus_bmp\n");
    err_has("ghostyolo detect: warning: b/bus.jpg has the file stem of an earlier source; its "
            "results are saved as bus_2\n");
    err_has("ghostyolo detect: warning: a/bus.bmp has the file stem of an earlier source; its "
            "results are saved as bus_bmp_2\n");
    static const char *const files[] = {"out/bus.jpg", "out/bus_bmp.bmp", "out/bus_2.jpg",
                                        "out/bus_bmp_2.bmp", "out/labels/bus.txt",
                                        "out/labels/bus_bmp.txt", "out/labels/bus_2.txt",
                                        "out/labels/bus_bmp_2.txt"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        ck_assert_msg(exists(files[i]), "%s missing", files[i]);
}
END_TEST

/* -o or --project naming an existing file: said so, no temporary name, exit 73, nothing made;
 * a folder given where a file is read or written: "is a directory". */
START_TEST(files_and_folders)
{
    const char *bus = gy_test_shared("images/bus.jpg");
    shell("echo x > afile && mkdir adir");
    ck_assert_int_eq(run("detect -w '%s' -o afile '%s'", weights(), bus), 73);
    err_has("ghostyolo detect: -o afile: a file of that name exists; -o names a folder to write "
            "into\n");
    err_lacks(".tmp.");
    ck_assert_int_eq(run("detect -w '%s' --project afile '%s'", weights(), bus), 73);
    err_has("ghostyolo detect: --project afile: a file of that name exists");
    ck_assert_int_eq(run("detect -w '%s' --imgsz 160 --project adir --name afile --exist-ok '%s'",
                         weights(), bus), 0); /* adir/afile does not exist yet: made */
    shell("rm -r adir/afile && echo x > adir/afile");
    ck_assert_int_eq(run("detect -w '%s' --project adir --name afile --exist-ok '%s'", weights(),
                         bus), 73);
    err_has("ghostyolo detect: adir/afile: a file of that name exists, not a run folder to reuse");
    err_lacks(".tmp.");
    /* folders where files are read: exit 66, "is a directory" */
    static const char *const reads[][2] = {
        {"detect -w adir '%s'", "ghostyolo detect: adir: is a directory, not a regular file\n"},
        {"detect -w '%s' -m adir '%s'", "ghostyolo detect: adir: is a directory, not a regular file\n"},
        {"info -w adir", "ghostyolo info: adir: is a directory, not a regular file\n"},
        {"info -m adir", "ghostyolo info: adir: is a directory, not a regular file\n"},
        {"stats -w adir", "ghostyolo stats: adir: is a directory, not a regular file\n"},
        {"bench -w adir", "ghostyolo bench: adir: is a directory, not a regular file\n"},
        {"convert adir", "ghostyolo convert: adir: is a directory, not a regular file\n"},
        {"val -w '%s' --data adir", "ghostyolo val: adir: is a directory, not a regular file\n"},
        {"forward -w '%s' --input adir --shape 1,3,32,32 -o x.f32",
         "ghostyolo forward: adir: is a directory, not a regular file\n"},
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        char args[4096];
        if (strstr(reads[i][0], "-m adir"))
            snprintf(args, sizeof args, reads[i][0], weights(), bus);
        else if (strstr(reads[i][0], "'%s'") && strncmp(reads[i][0], "detect", 6) == 0)
            snprintf(args, sizeof args, reads[i][0], bus);
        else if (strstr(reads[i][0], "'%s'"))
            snprintf(args, sizeof args, reads[i][0], weights());
        else
            snprintf(args, sizeof args, "%s", reads[i][0]);
        ck_assert_msg(run("%s", args) == 66, "%s: not exit 66", args);
        err_has(reads[i][1]);
    }
    /* a folder where a file is written: exit 73 */
    ck_assert_int_eq(run("convert '%s' -o adir", gy_test_shared("weights/yolov8n.pt")), 73);
    err_has("ghostyolo convert: adir: is a directory, not a file to write\n");
    ck_assert_int_eq(run("forward -w '%s' --input '%s' --shape 1,3,640,640 -o adir", weights(),
                         gy_test_shared("parity/v8n_640/input.f32")), 73);
    err_has("ghostyolo forward: adir: is a directory, not a file to write\n");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli_edges");
    TCase *tc = tcase_create("cli_edges");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, no_images_no_run_folder);
    tcase_add_test(tc, nothing_saved);
    tcase_add_test(tc, unsupported_sources);
    tcase_add_test(tc, tiff_images);
    tcase_add_test(tc, same_stem_names);
    tcase_add_test(tc, files_and_folders);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}
