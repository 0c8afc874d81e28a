/* plot_matrix.h - ultralytics 8.0.126's ConfusionMatrix.plot: a seaborn heatmap of the matrix,
 * 12 x 9 inches at 250 dpi. */
#ifndef GY_POSTPROCESS_PLOT_MATRIX_H
#define GY_POSTPROCESS_PLOT_MATRIX_H

#include "ghostyolo.h"

/* confusion_matrix.png (counts, '.0f') or, normalize != 0, confusion_matrix_normalized.png (each
 * column divided by its sum + 1e-9, '.2f'): matrix is (nc + 1) x (nc + 1) row-major (rows
 * predicted, columns true; the last row and column background). Values below 0.005 are left
 * blank; colours 'Blues' from 0 to the largest value, with a colour bar; values written in the
 * cells when nc < 30; tick labels are the names (nnames of them, then "background") when
 * 0 < nnames < 99 and nnames == nc, else every k-th index. Title "Confusion Matrix[ Normalized]",
 * x "True", y "Predicted". Tick labels longer than 24 characters are cut with an ellipsis.
 * nc up to GY_PLOT_MATRIX_MAX_NC. */
#define GY_PLOT_MATRIX_MAX_NC 1000 /* cells of 2 pixels: a bigger matrix is not drawn */

gy_status gy_plot_confusion_matrix(const char *path, const double *matrix, int nc,
                                   const char *const *names, int nnames, int normalize,
                                   gy_error *err);

#endif
