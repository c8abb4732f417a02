// Owns the table of spreadsheet functions by what their result can show: a number whatever their
// arguments, one of their arguments as it stands, or their arguments joined (Excel's function
// reference; ECMA-376 Part 1 §18.17.7). A function in none of them makes new text.
// Functions whose result is a number or a truth value whatever their arguments: what those
// arguments hold is never shown (ECMA-376 Part 1 §18.17.7 and Excel's later functions).
export const NUMERIC = new Set(
  (
    'ABS ACOS ACOSH ACOT ACOTH AGGREGATE AND AREAS ASIN ASINH ATAN ATAN2 ATANH AVEDEV AVERAGE AVERAGEA AVERAGEIF AVERAGEIFS ' +
    'BETA.DIST BETA.INV BINOM.DIST BITAND BITLSHIFT BITOR BITRSHIFT BITXOR CEILING CEILING.MATH CEILING.PRECISE CODE COLUMN ' +
    'COLUMNS COMBIN COMBINA CORREL COS COSH COT COTH COUNT COUNTA COUNTBLANK COUNTIF COUNTIFS COVAR COVARIANCE.P COVARIANCE.S ' +
    'CSC CSCH CUMIPMT CUMPRINC DATE DATEDIF DATEVALUE DAVERAGE DAY DAYS DAYS360 DB DCOUNT DCOUNTA DDB DEGREES DEVSQ DMAX ' +
    'DMIN DOLLAR DPRODUCT DSTDEV DSUM DVAR EDATE EFFECT EOMONTH ERROR.TYPE EVEN EXACT EXP EXPON.DIST FACT FACTDOUBLE FALSE ' +
    'FIND FINDB FIXED FLOOR FLOOR.MATH FLOOR.PRECISE FORECAST FORECAST.LINEAR FREQUENCY FV GAMMA GCD GEOMEAN GROWTH HARMEAN HOUR ' +
    'INT INTERCEPT IPMT IRR ISBLANK ISERR ISERROR ISEVEN ISFORMULA ISLOGICAL ISNA ISNONTEXT ISNUMBER ISODD ISOWEEKNUM ISREF ' +
    'ISTEXT KURT LARGE LCM LEN LENB LINEST LN LOG LOG10 MATCH MAX MAXA MAXIFS MDETERM MEDIAN MIN MINA MINIFS MINUTE MINVERSE MIRR ' +
    'MMULT MOD MODE MODE.MULT MODE.SNGL MONTH MROUND MULTINOMIAL MUNIT N NA NETWORKDAYS NETWORKDAYS.INTL NOMINAL NORM.DIST NORM.INV ' +
    'NORM.S.DIST NORM.S.INV NORMDIST NORMINV NOT NOW NPER NPV NUMBERVALUE ODD OR PEARSON PERCENTILE PERCENTILE.EXC PERCENTILE.INC ' +
    'PERCENTRANK PERMUT PI PMT POWER PPMT PRODUCT PV QUARTILE QUARTILE.EXC QUARTILE.INC QUOTIENT RADIANS RAND RANDARRAY ' +
    'RANDBETWEEN RANK RANK.AVG RANK.EQ RATE ROUND ROUNDDOWN ROUNDUP ROW ROWS RSQ SEARCH SEARCHB SEC SECH SECOND SEQUENCE SIGN SIN ' +
    'SINH SKEW SLN SLOPE SMALL SQRT SQRTPI STANDARDIZE STDEV STDEV.P STDEV.S STDEVA STDEVP STDEVPA SUBTOTAL SUM SUMIF SUMIFS ' +
    'SUMPRODUCT SUMSQ SUMX2MY2 SUMX2PY2 SUMXMY2 SYD T.DIST T.INV TAN TANH TIME TIMEVALUE TODAY TREND TRIMMEAN ' +
    'TRUE TRUNC TYPE UNICODE VALUE VAR VAR.P VAR.S VARA VARP VARPA VDB WEEKDAY WEEKNUM WORKDAY WORKDAY.INTL XIRR XMATCH XNPV XOR ' +
    'YEAR YEARFRAC'
  ).split(' '),
);

/**
 * Functions whose result is one of their arguments, or a cell's value, as it stands: the indices of
 * the arguments that can be the result (-1: every argument from the second on, -2: every one),
 * or 'cell' for a function that returns a reference.
 */
export const SELECTORS: Readonly<Record<string, readonly number[] | 'cell'>> = {
  IF: [1, 2],
  IFERROR: [0, 1],
  IFNA: [0, 1],
  CHOOSE: [-1],
  INDEX: [0],
  VLOOKUP: [1],
  HLOOKUP: [1],
  XLOOKUP: [2, 3],
  LOOKUP: [1, 2],
  FILTER: [0, 2],
  SORT: [0],
  SORTBY: [0],
  UNIQUE: [0],
  TRANSPOSE: [0],
  TAKE: [0],
  DROP: [0],
  CHOOSECOLS: [0],
  CHOOSEROWS: [0],
  TOCOL: [0],
  TOROW: [0],
  WRAPROWS: [0, 2],
  WRAPCOLS: [0, 2],
  EXPAND: [0, 3],
  VSTACK: [-2],
  HSTACK: [-2],
  SINGLE: [0],
  T: [0],
  // A link shows its friendly name, and follows its target (a mailto: built from cells is a leak too).
  HYPERLINK: [0, 1],
  OFFSET: 'cell',
  INDIRECT: 'cell',
  ANCHORARRAY: 'cell',
  GETPIVOTDATA: 'cell',
  DGET: 'cell',
};

/** Functions that only join their arguments' texts in order (and CHAR(n), one character). */
export const JOINS = new Set(['CONCAT', 'CONCATENATE']);
/**
 * Functions that show their argument changed only in ways the fold reads alike (case, runs of
 * blanks): what they show is read where their argument is. Not CLEAN: it joins across a line break.
 */
export const SAME_READING = new Set(['UPPER', 'LOWER', 'PROPER', 'TRIM']);
