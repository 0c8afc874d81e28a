"""Source expansion of dask_detect and predict, with the CLI's rules: a folder's images sorted by
name without recursion (hidden files and other extensions passed over, subfolders reported), glob
patterns, .txt lists relative to the list's folder, "-" from stdin, errors as items; with videos
(predict) a source's videos after its images."""
import io
import os
import tempfile
import unittest

import gytest  # noqa: F401  (checks the interpreter)
from ghostyolo.sources import expand_sources, is_image_name, is_video_name


class Sources(unittest.TestCase):
    def test_rules(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "imgs"))
            os.mkdir(os.path.join(d, "imgs", "sub"))
            for n in ("b.jpg", "a.PNG", "c.txt", ".hidden.jpg", "Z.webp", "noext"):
                open(os.path.join(d, "imgs", n), "wb").close()
            open(os.path.join(d, "imgs", "sub", "deep.jpg"), "wb").close()
            with open(os.path.join(d, "list.txt"), "w") as f:
                f.write("imgs/b.jpg\n\n  imgs/*.webp \r\n%s/imgs/a.PNG\nmissing.jpg\n" % d)
            folder = os.path.join(d, "imgs")
            got = list(expand_sources([folder]))
            self.assertEqual(got, [(folder + "/Z.webp", None), (folder + "/a.PNG", None),
                                   (folder + "/b.jpg", None),
                                   (folder + "/sub", "a folder inside a source folder "
                                    "(subfolders are not searched)")])
            self.assertEqual(list(expand_sources([folder + "/*.jpg"])), [(folder + "/b.jpg", None)])
            self.assertEqual(list(expand_sources([folder + "/*.xyz"])),
                             [(folder + "/*.xyz", "no file matches this pattern")])
            self.assertEqual(list(expand_sources([folder + "/*.txt"])),
                             [(folder + "/*.txt", "the pattern matches no image file")])
            got = list(expand_sources([os.path.join(d, "list.txt")]))
            self.assertEqual(got[:3], [(d + "/imgs/b.jpg", None), (d + "/imgs/Z.webp", None),
                                       (d + "/imgs/a.PNG", None)])
            self.assertEqual(got[3][0], d + "/missing.jpg")
            self.assertIn("No such file", got[3][1])
            self.assertEqual(len(got), 4)
            stdin = io.StringIO(folder + "/b.jpg\n\n" + folder + "\n")
            got = list(expand_sources(["-"], stdin=stdin))
            self.assertEqual([p for p, _ in got], [folder + "/b.jpg", folder + "/Z.webp",
                                                  folder + "/a.PNG", folder + "/b.jpg",
                                                  folder + "/sub"])
        self.assertTrue(is_image_name("x/y.JPEG"))
        self.assertFalse(is_image_name("x.jpg/y"))
        self.assertFalse(is_image_name("a.gif"))  # a video in ultralytics 8.0.126
        self.assertTrue(is_video_name("a.GIF") and is_video_name("d/c.webm"))
        self.assertFalse(is_video_name("a.jpg") or is_video_name("mp4"))

    def test_videos(self):
        """videos=True (predict): a folder's, pattern's or list's videos after its images."""
        with tempfile.TemporaryDirectory() as d:
            for n in ("a.mp4", "b.jpg", "c.GIF", "d.png", "e.txt"):
                open(os.path.join(d, n), "wb").close()
            names = lambda got: [os.path.basename(p) for p, _ in got]  # noqa: E731
            self.assertEqual(names(expand_sources([d], videos=True)),
                             ["b.jpg", "d.png", "a.mp4", "c.GIF"])
            self.assertEqual(names(expand_sources([d])), ["b.jpg", "d.png"])  # images only
            self.assertEqual(names(expand_sources([d + "/*"], videos=True)),
                             ["b.jpg", "d.png", "a.mp4", "c.GIF"])
            with open(os.path.join(d, "l.txt"), "w") as f:
                f.write("c.GIF\nd.png\na.mp4\nb.jpg\n")
            self.assertEqual(names(expand_sources([d + "/l.txt"], videos=True)),
                             ["d.png", "b.jpg", "c.GIF", "a.mp4"])
            self.assertEqual(list(expand_sources([d + "/*.txt"], videos=True)),
                             [(d + "/*.txt", "the pattern matches no image or video file")])
            stdin = io.StringIO(f"{d}/a.mp4\n{d}/b.jpg\n")
            self.assertEqual(names(expand_sources(["-"], stdin=stdin, videos=True)),
                             ["a.mp4", "b.jpg"])  # as it comes


if __name__ == "__main__":
    unittest.main()
