"""Pooling against metafor's ``rma``, and why tau^2 is computed here rather than by statsmodels.

Reference values: R 4.2.2, metafor 3.8-1, metadat 1.2.0, printed with ``sprintf("%.17g")`` by
``tests/metafor_reference.R``. ``EFFECTS`` are escalc's ``yi``/``vi`` (see test_meta_effects.py for
the calls and the data sets' publications); ``RMA`` holds, for each, ``rma(yi, vi, data=e,
method="FE")`` or ``method="DL"``: ``b``, ``se``, ``ci.lb``, ``ci.ub``, ``zval``, ``pval``,
``tau2``, ``I2``, ``QE``, ``QEp``, ``weights(res)`` and, for ratios, ``predict(res, transf=exp)``.
The keys are (data set, measure, model, drop00); drop00 = True is ``escalc(..., drop00=TRUE)``,
which drops trial 15 of dat.nielweise2007.

dat.cannon2006 (Cannon et al. 2006, Meta-analysis of cardiovascular outcomes trials comparing
intensive versus moderate statin therapy, JACC 48(3):438-445,
https://doi.org/10.1016/j.jacc.2006.04.070), end point 1 (coronary death or MI):
``escalc(measure="RR", ai=ep1t, n1i=nt, ci=ep1c, n2i=nc, data=dat.cannon2006)``: four trials with
Q = 1.24 < k - 1 = 3, where DerSimonian-Laird's moment estimate of tau^2 is negative.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from extractor.errors import AnalysisError, InputError
from extractor.meta import analyse, format_summary, read_table
from extractor.meta.pool import Method, pool
from extractor.meta.table import outcome_types
from extractor.meta.trials import table_rows

# fmt: off
EFFECTS = {
    ("bcg", "RR"): (
        [
            -0.8893113339202054, -1.5853886572014306, -1.3480731482996933, -1.4415511900213054,
            -0.21754732221129558, -0.786115585818864, -1.6208982235983918, 0.011952333523840508,
            -0.4694176487381494, -1.3713448034727844, -0.3393588283383906, 0.44591340057137874,
            -0.017313948216879815,
        ],
        [
            0.32558476500396133, 0.19458112139814385, 0.4153679653679654, 0.020010031902247573,
            0.05121017216963086, 0.0069056184559087574, 0.22301724757231517, 0.0039615792978177295,
            0.056434210463248966, 0.07302479361302891, 0.01241221397155972, 0.5325058452001528,
            0.0714046596839863,
        ],
    ),
    ("bcg", "OR"): (
        [
            -0.9386941408703922, -1.6661907290265496, -1.3862943611198908, -1.4564435493129846,
            -0.21914108567543256, -0.9581220407762674, -1.633775838228896, 0.012020601452732649,
            -0.471746035838696, -1.401210139283481, -0.34084964636621073, 0.44663468227444625,
            -0.017341873929093587,
        ],
        [
            0.3571249522536287, 0.208132393657186, 0.43341307814992025, 0.020314412973197363,
            0.05195177731712027, 0.00990526551533824, 0.2270096752234936, 0.004006962012148831,
            0.05697712398776266, 0.0754217263149204, 0.012525133820215518, 0.5341621724747171,
            0.07163511729565875,
        ],
    ),
    ("bcg", "RD"): (
        [
            -0.04661636544422997, -0.07610172781984081, -0.03701298701298701,
            -0.014714618026393848, -0.0015821267065460826, -0.13956764584472833,
            -0.012754832724785342, 6.788021404894196e-05, -0.002316684687178207,
            -0.029132279132279136, -0.0014842349885014817, 0.0007200976500978654,
            -2.78807421670098e-05,
        ],
        [
            0.000780068664855938, 0.00034846257472658307, 0.0002713997856306846,
            1.8028549353363776e-06, 2.657972482603194e-06, 0.00019833565414980573,
            2.6104856229552035e-05, 1.2777444567839109e-07, 1.3582263060433112e-06,
            2.824750370764277e-05, 2.599714691855968e-07, 1.3463933597368239e-06,
            1.8506680125160208e-07,
        ],
    ),
    ("normand", "MD"): (
        [-20.0, -2.0, -55.0, -71.0, -4.0, 1.0, 11.0, -10.0, 7.0],
        [
            40.50802315963606, 2.0806451612903225, 15.698403755868545, 150.22222222222223,
            17.307692307692307, 1.1673414304993253, 94.5891265597148, 6.3108792846497765,
            19.842307692307692,
        ],
    ),
    ("normand", "SMD"): (
        [
            -0.3551696409401069, -0.3479400227390985, -2.3175691601637305, -1.8879822529368466,
            -0.3839641411697013, 0.17214866906959103, 0.2720520738529319, -0.42459627189426086,
            0.2895562300807551,
        ],
        [
            0.013064675541529683, 0.06446887609885668, 0.04581211028018281, 0.16061773593617348,
            0.20543327839222422, 0.03691057000036191, 0.060267125836432664, 0.014863038419332694,
            0.03627173415805455,
        ],
    ),
    ("nielweise", "RR"): (
        [
            -1.937399459387405, -1.327453861096957, -1.5686159179138452, -2.6632665984752366,
            -0.1433555882605706, -1.0367879066597712, -1.0815178553088094, -1.333650627634468,
            -2.884420969440187, -0.6165139545390295, -2.738355550597539, -1.2837547218037058,
            -0.5824816126724257, -0.6442875695346917, -0.1156843989994627, -1.0598477452178656,
            -1.0505124938736987, 1.4615177823574785,
        ],
        [
            2.2686927008960907, 1.282034632034632, 0.6011752136752138, 2.1184004754740813,
            0.3536747233587829, 1.2326016737630305, 1.3219364893824272, 1.4608454608454609,
            1.0326135627327753, 1.4829537211664008, 2.10302334481439, 2.63563300708204,
            0.5222998986828774, 0.24667260843731428, 3.982162676391311, 2.6589118161278846,
            1.3276723516694693, 1.2198822463768115,
        ],
    ),
    ("nielweise", "OR"): (
        [
            -1.9632265990667737, -1.3940765015619454, -1.6062068918526542, -2.715742546725366,
            -0.14864834168736696, -1.055730561184844, -1.0928485839513593, -1.372688709064112,
            -3.077970371790963, -0.6241543090729937, -2.853467200960714, -1.3024400506830283,
            -0.5953830117940537, -0.6747341199130679, -0.11620200765906485, -1.063589253878547,
            -1.0559315575532287, 1.511457504073897,
        ],
        [
            2.3030316011555585, 1.3878391472868217, 0.6213418241291715, 2.148718176304383,
            0.3801384982914512, 1.2677166857579227, 1.3448608065909242, 1.5407256571640133,
            1.074953007518797, 1.5172619047619047, 2.165762231666122, 2.698242368177613,
            0.5446210916799152, 0.2690177792175242, 4.017917491551183, 2.674451154484473,
            1.3390258253978535, 1.2813725490196077,
        ],
    ),
    ("nielweise", "RD"): (
        [
            -0.025387512675648267, -0.06298701298701298, -0.03653846153846154,
            -0.05092773165431549, -0.005103977728097182, -0.01857289678461313,
            -0.011202026105591272, -0.037768537768537766, -0.17415674106696027,
            -0.007543885100826927, -0.10792192881745122, -0.018381475292432562,
            -0.012613981762917933, -0.029025549613784903, -0.0005153004598065641,
            -0.0037271374682517023, -0.0053887420930418765, 0.04800724637681159,
        ],
        [
            0.00028027840713843604, 0.0027438566872493336, 0.0002715457157487483,
            0.00040674405987031016, 0.00044614241493310574, 0.000304131763025142,
            0.00012697454609222024, 0.0014276396483207483, 0.0015657516257545196,
            0.00020979127114164977, 0.001680875330290102, 0.0005184434737891462,
            0.00024212615064284814, 0.00048483385809797576, 7.944980416984626e-05,
            2.9358294882230114e-05, 3.108059632381806e-05, 0.001122523194700811,
        ],
    ),
    ("cannon", "RR"): (
        [
            -0.17436169678409774, -0.1512522494216837, -0.22214065863899046, -0.11688361361799293,
        ],
        [
            0.011655526260906974, 0.008243838151836089, 0.004986395985800546, 0.004142871663950481,
        ],
    ),
}
# fmt: on

# fmt: off
RMA = {
    ("bcg", "RR", "FE", False): {
        "estimate": -0.4302851636540909,
        "se": 0.04049875171086381,
        "ci_low": -0.5096612584262139,
        "ci_high": -0.35090906888196793,
        "z": -10.624652501046512,
        "p_value": 2.2886293069732448e-26,
        "tau2": 0.0,
        "i2": 92.11734685456206,
        "q": 152.2330080823733,
        "q_p": 1.9967645908459738e-26,
        "k": 13,
        "weights": [
            0.503754802568308, 0.8429126517274972, 0.39486648631779353, 8.196633059610312,
            3.2027794882338854, 23.750934121400952, 0.7354358947535494, 41.401389870996276,
            2.906302536484126, 2.2460164678172583, 13.21399142728518, 0.30800580029721786,
            2.296977392507657,
        ],
        "exp": [0.6503236196194819, 0.6006990260857639, 0.7040477707959573],
    },
    ("bcg", "RR", "DL", False): {
        "estimate": -0.7141172220732269,
        "se": 0.1787420895354031,
        "ci_low": -1.0644452800840507,
        "ci_high": -0.3637891640624032,
        "z": -3.9952381888865807,
        "p_value": 6.462924304703998e-05,
        "tau2": 0.3087602628623762,
        "i2": 92.11734685456206,
        "q": 152.2330080823733,
        "q_p": 1.9967645908459738e-26,
        "k": 13,
        "weights": [
            5.036491683231726, 6.3473291826419755, 4.412027224730608, 9.717646356814292,
            8.875377381656724, 10.121060419345179, 6.007913825721246, 10.216342533284294,
            8.748416776558122, 8.368251724263134, 9.947531895144722, 3.797696622423235,
            8.403914374184748,
        ],
        "exp": [0.4896241504636191, 0.3449191352224761, 0.6950377182251471],
    },
    ("bcg", "OR", "FE", False): {
        "estimate": -0.4361390761364095,
        "se": 0.04226545699299601,
        "ci_low": -0.5189778496328082,
        "ci_high": -0.3533003026400108,
        "z": -10.319043189540904,
        "p_value": 5.779623023478876e-25,
        "tau2": 0.0,
        "i2": 92.64547774458558,
        "q": 163.16491518079985,
        "q_p": 1.1887725911106852e-28,
        "k": 13,
        "weights": [
            0.5002083566421104, 0.8582848750440636, 0.4121631175626135, 8.793603128890384,
            3.4385134582067796, 18.0345378128493, 0.7869130921702333, 44.58162691362312,
            3.1352387235453776, 2.3685069834756707, 14.262273604962248, 0.33442444015657996,
            2.493705492871519,
        ],
        "exp": [0.6465278030935883, 0.5951285480474201, 0.7023662392678823],
    },
    ("bcg", "OR", "DL", False): {
        "estimate": -0.7473923497321375,
        "se": 0.19226284897113902,
        "ci_low": -1.1242206092806337,
        "ci_high": -0.37056409018364134,
        "z": -3.887346690906105,
        "p_value": 0.00010134595615579446,
        "tau2": 0.36634340672559945,
        "i2": 92.64547774458558,
        "q": 163.16491518079985,
        "q_p": 1.1887725911106852e-28,
        "k": 13,
        "weights": [
            5.109415309697093, 6.434562268744556, 4.622032305277591, 9.560133330109405,
            8.837061602584416, 9.82462021044098, 6.229849345868979, 9.981089858364522,
            8.732154576157015, 8.367569174163068, 9.756683160139284, 4.104916609992061,
            8.43991224846103,
        ],
        "exp": [0.47359992691415004, 0.3249055971091038, 0.6903448040563273],
    },
    ("bcg", "RD", "FE", False): {
        "estimate": -0.0009142634684562598,
        "se": 0.00022603392965608301,
        "ci_low": -0.0013572818298662425,
        "ci_high": -0.0004712451070462771,
        "z": -4.0448063255252755,
        "p_value": 5.2366396820699394e-05,
        "tau2": 0.0,
        "i2": 95.6596235198583,
        "q": 276.4737127044852,
        "q_p": 4.020805972213783e-52,
        "k": 13,
        "weights": [
            0.006549594882805166, 0.014661929590533302, 0.01882512074836167, 2.8339128320514844,
            1.9221921103461805, 0.025760036729039697, 0.19571583504042855, 39.985567602749185,
            3.7616218393388925, 0.1808702740056552, 19.65267093186152, 3.794681322979623,
            27.606970569676285,
        ],
    },
    ("bcg", "RD", "DL", False): {
        "estimate": -0.007055263566095497,
        "se": 0.0015633902071895238,
        "ci_low": -0.010119452065969576,
        "ci_high": -0.003991075066221417,
        "z": -4.512797594388548,
        "p_value": 6.3978072213701955e-06,
        "tau2": 1.8734749933120175e-05,
        "i2": 95.6596235198583,
        "q": 276.4737127044852,
        "q_p": 4.020805972213783e-52,
        "k": 13,
        "weights": [
            0.30598128334009983, 0.6656336459426089, 0.8424329544865881, 11.901041799134525,
            11.425329102291604, 1.1259890311911729, 5.4509598747787935, 12.95791003818855,
            12.164394716060531, 5.202366320323688, 12.867727239418214, 12.171562665983846,
            12.91867132885978,
        ],
    },
    ("normand", "MD", "FE", False): {
        "estimate": -3.463612627776723,
        "se": 0.7648275211610469,
        "ci_low": -4.9626470236374205,
        "ci_high": -1.9645782319160252,
        "z": -4.528619240216125,
        "p_value": 5.937037398625193e-06,
        "tau2": 0.0,
        "i2": 96.65154015084394,
        "q": 238.9158108620096,
        "q_p": 3.8418092854003323e-47,
        "k": 9,
        "weights": [
            1.4440624140558704, 28.11441124168357, 3.7262459688404634, 0.3893972066662843,
            3.379775458946476, 50.11054365432203, 0.6184232357363628, 9.269090894325577,
            2.9480499254233656,
        ],
    },
    ("normand", "MD", "DL", False): {
        "estimate": -13.981721817043933,
        "se": 5.126698339231326,
        "ci_low": -24.02986592153864,
        "ci_high": -3.9335777125492264,
        "z": -2.727237081622456,
        "p_value": 0.006386713241169999,
        "tau2": 205.4093754679108,
        "i2": 96.65154015084396,
        "q": 238.9158108620096,
        "q_p": 3.8418092854003323e-47,
        "k": 9,
        "weights": [
            10.687749629819443, 12.667132511614534, 11.886979261311579, 7.390523235895937,
            11.801087417313934, 12.723135625397056, 8.761055699890443, 12.41403940883902,
            11.668297209918059,
        ],
    },
    ("normand", "SMD", "FE", False): {
        "estimate": -0.41061141942098134,
        "se": 0.061602751535678645,
        "ci_low": -0.531350593779481,
        "ci_high": -0.2898722450624817,
        "z": -6.6654720639088065,
        "p_value": 2.6381599063615513e-11,
        "tau2": 0.0,
        "i2": 93.53427065551068,
        "q": 123.72927435971823,
        "q_p": 5.622513232043043e-23,
        "k": 9,
        "weights": [
            29.0470206068526, 5.886404768321778, 8.283615344408481, 2.362689882688037,
            1.8472659475944957, 10.281334037185959, 6.29679770537932, 25.532457696068704,
            10.462414011500629,
        ],
    },
    ("normand", "SMD", "DL", False): {
        "estimate": -0.5307373106159766,
        "se": 0.2592186056768585,
        "ci_low": -1.0387964418653093,
        "ci_high": -0.022678179366643958,
        "z": -2.047450680595022,
        "p_value": 0.040613854610900675,
        "tau2": 0.5397143748202149,
        "i2": 93.53427065551068,
        "q": 123.72927435971823,
        "q_p": 5.622513232043043e-23,
        "k": 9,
        "weights": [
            12.155722161518604, 11.12150749409886, 11.475874659629298, 9.594631532242893,
            9.017579970811207, 11.653031339107763, 11.199392890533145, 12.116304040682298,
            11.665955911375935,
        ],
    },
    ("nielweise", "RR", "DL", False): {
        "estimate": -0.9150459794351868,
        "se": 0.22879999996124406,
        "ci_low": -1.363485739021991,
        "ci_high": -0.4666062198483828,
        "z": -3.999326833873184,
        "p_value": 6.352290640201698e-05,
        "tau2": 0.0,
        "i2": 0.0,
        "q": 15.352876936275543,
        "q_p": 0.570080508939565,
        "k": 18,
        "weights": [
            2.3074716096009036, 4.083309348608228, 8.70785068835974, 2.47117769224206,
            14.801577982478465, 4.247068708129102, 3.960057113388364, 3.583502936167397,
            5.069606082233153, 3.530079141046314, 2.489246736673079, 1.9862188643714966,
            10.022870024344005, 21.222234732061278, 1.314598228058955, 1.9688294912503184,
            3.9429487189696246, 4.29135190201751,
        ],
        "exp": [0.4004982109859295, 0.2557676819203048, 0.6271269919586991],
    },
    ("nielweise", "RR", "DL", True): {
        "estimate": -0.9256943559767106,
        "se": 0.23031889234755185,
        "ci_low": -1.37711108993707,
        "ci_high": -0.47427762201635115,
        "z": -4.019185515098063,
        "p_value": 5.839967525591358e-05,
        "tau2": 0.0,
        "i2": 0.0,
        "q": 15.190279149094039,
        "q_p": 0.5107488076526413,
        "k": 17,
        "weights": [
            2.33820967252421, 4.137703525841271, 8.823848848974967, 2.504096500466074,
            14.998751301316544, 4.3036443403695595, 4.0128094351178065, 3.631239141579181,
            5.137138818108943, 3.577103682674586, 2.522406244467295, 2.012677486951503,
            10.156385690668365, 21.504938269497266, 1.995056468230452, 3.995473138044935,
            4.348517435167051,
        ],
        "exp": [0.3962561806819746, 0.25230639169729063, 0.6223344548363728],
    },
    ("nielweise", "OR", "DL", False): {
        "estimate": -0.9547791734183658,
        "se": 0.23461830788457838,
        "ci_low": -1.4146226069858692,
        "ci_high": -0.4949357398508625,
        "z": -4.069499869925215,
        "p_value": 4.711416597258534e-05,
        "tau2": 0.0,
        "i2": 0.0,
        "q": 15.989359974459134,
        "q_p": 0.5245893396368607,
        "k": 18,
        "weights": [
            2.3901430778024637, 3.9662918071042594, 8.859173526870018, 2.561794794759774,
            14.480446111622031, 4.342117683945521, 4.093044434401937, 3.5727158912862254,
            5.120758768951142, 3.627966287287813, 2.5416340533501733, 2.0400595233333543,
            10.107164638965969, 20.461751842101698, 1.3700069877087375, 2.0582073560148246,
            4.110880413995567, 4.295842800498492,
        ],
        "exp": [0.38489713068668485, 0.2430173091797873, 0.60961007967232],
    },
    ("nielweise", "OR", "DL", True): {
        "estimate": -0.9664273196032691,
        "se": 0.2362421557937379,
        "ci_low": -1.4294534365890958,
        "ci_high": -0.5034012026174424,
        "z": -4.090833477015225,
        "p_value": 4.298256811512123e-05,
        "tau2": 0.0,
        "i2": 0.0,
        "q": 15.811909956173235,
        "q_p": 0.4661635441336499,
        "k": 17,
        "weights": [
            2.423343046880886, 4.021385063476564, 8.982230715322052, 2.597379069509336,
            14.681584849973051, 4.40243130038994, 4.1498983315266615, 3.622342232997009,
            5.191887997308277, 3.6783600773810217, 2.5769382879642255, 2.068396702693797,
            10.247556884351008, 20.745973123562685, 2.086796615465978, 4.167982059456568,
            4.35551364174095,
        ],
        "exp": [0.38043980284260714, 0.23943975549563307, 0.6044712302989362],
    },
    ("nielweise", "RD", "DL", False): {
        "estimate": -0.01800728862132806,
        "se": 0.005562002504942312,
        "ci_low": -0.028908613212936557,
        "ci_high": -0.007105964029719568,
        "z": -3.2375549283422753,
        "p_value": 0.0012055872885155282,
        "tau2": 0.00023197853013143046,
        "i2": 56.89131088948316,
        "q": 39.43520517735405,
        "q_p": 0.0015537824794965213,
        "k": 18,
        "weights": [
            6.039131852437355, 1.0395693849007313, 6.143869360433183, 4.843397172612955,
            4.561999166983465, 5.770430499074495, 8.618360982010227, 1.8640354912137975,
            1.7208295562989462, 7.002713127025522, 1.6172626934588332, 4.12246332108603,
            6.525114203568289, 4.3157557504550175, 9.933544400959061, 11.837547909050885,
            11.760045082582353, 2.283930045848855,
        ],
    },
    ("nielweise", "RD", "DL", True): {
        "estimate": -0.020411690381673026,
        "se": 0.006089160379806024,
        "ci_low": -0.03234622542218107,
        "ci_high": -0.008477155341164984,
        "z": -3.352135451936193,
        "p_value": 0.0008019077406803594,
        "tau2": 0.0002667193943627326,
        "i2": 58.071799523747515,
        "q": 38.16047390124021,
        "q_p": 0.0014356003200769378,
        "k": 17,
        "weights": [
            6.778432020977732, 1.2315873482641044, 6.888403768789726, 5.505551028485227,
            5.201270940243633, 6.4951911984661574, 9.417943819036742, 2.188312700965462,
            2.0233812007912118, 7.781121560364827, 1.9037777039372852, 4.7223163034025735,
            7.286665766247942, 4.933499257650791, 12.52302198978684, 12.450596135184483,
            2.668927257405257,
        ],
    },
    ("cannon", "RR", "FE", False): {
        "estimate": -0.16342934600538284,
        "se": 0.03925273678253755,
        "ci_low": -0.24036329639378706,
        "ci_high": -0.08649539561697861,
        "z": -4.1635146846139905,
        "p_value": 3.133858605642706e-05,
        "tau2": 0.0,
        "i2": 0.0,
        "q": 1.2424732105995089,
        "q_p": 0.7428365296385542,
        "k": 4,
        "weights": [
            13.219285945817779, 18.690048452443364, 30.899618668608625, 37.19104693313023,
        ],
        "exp": [0.8492264981263974, 0.7863421339063416, 0.9171397716377766],
    },
    ("cannon", "RR", "DL", False): {
        "estimate": -0.16342934600538284,
        "se": 0.03925273678253755,
        "ci_low": -0.24036329639378706,
        "ci_high": -0.08649539561697861,
        "z": -4.1635146846139905,
        "p_value": 3.133858605642706e-05,
        "tau2": 0.0,
        "i2": 0.0,
        "q": 1.2424732105995089,
        "q_p": 0.7428365296385542,
        "k": 4,
        "weights": [
            13.219285945817779, 18.690048452443364, 30.899618668608625, 37.19104693313023,
        ],
        "exp": [0.8492264981263974, 0.7863421339063416, 0.9171397716377766],
    },
}
# fmt: on


def _inputs(data_set: str, measure: str, drop00: bool) -> tuple[list[float], list[float]]:
    yi, vi = EFFECTS[data_set, measure]
    if drop00:  # escalc(..., drop00=TRUE) sets trial 15 (both arms without events) to NA
        return yi[:14] + yi[15:], vi[:14] + vi[15:]
    return yi, vi


@pytest.mark.parametrize("data_set,measure,model,drop00", list(RMA))
def test_meta_pool_matches_metafor_rma(
    data_set: str, measure: str, model: str, drop00: bool
) -> None:
    expected = RMA[data_set, measure, model, drop00]
    result = pool(*_inputs(data_set, measure, drop00), model)
    close = {"rel": 1e-6, "abs": 1e-12}
    for name in ("estimate", "se", "ci_low", "ci_high", "z", "p_value", "tau2", "i2", "q", "q_p"):
        assert getattr(result, name) == pytest.approx(expected[name], **close), name
    assert result.k == expected["k"]
    assert list(result.weights) == pytest.approx(expected["weights"], **close)
    if "exp" in expected:
        back = [math.exp(x) for x in (result.estimate, result.ci_low, result.ci_high)]
        assert back == pytest.approx(expected["exp"], **close)


@pytest.mark.parametrize("key", [("cannon", "RR"), ("nielweise", "RR"), ("nielweise", "OR")])
def test_meta_pool_truncates_tau2_at_zero_when_q_is_below_its_df(key: tuple[str, str]) -> None:
    yi, vi = EFFECTS[key]
    fixed, random = pool(yi, vi, Method.FE), pool(yi, vi, Method.DL)
    assert random.q < random.q_df
    assert random.tau2 == 0.0
    assert (random.estimate, random.ci_low, random.ci_high) == (
        fixed.estimate,
        fixed.ci_low,
        fixed.ci_high,
    )


def test_meta_pool_statsmodels_dl_leaves_tau2_negative() -> None:
    """Why pool() is hand-written: statsmodels' DL does not truncate tau^2 (checked on 0.15.0).

    On the four Cannon et al. trials its tau^2 is negative, so its random-effects weights are
    1 / (vi + tau2) with tau2 < 0: the estimate moves away from the fixed-effect one and its
    standard error comes out smaller than the fixed-effect one, which no random-effects model can
    give. metafor and pool() give tau^2 = 0 and the fixed-effect result. If this test fails,
    statsmodels has changed and the choice can be revisited.
    """
    np = pytest.importorskip("numpy")
    meta_analysis = pytest.importorskip("statsmodels.stats.meta_analysis")
    yi, vi = EFFECTS["cannon", "RR"]
    theirs = meta_analysis.combine_effects(np.array(yi), np.array(vi), method_re="dl")
    ours = pool(yi, vi, Method.DL)
    assert theirs.tau2 < 0
    assert theirs.sd_eff_w_re < theirs.sd_eff_w_fe
    assert theirs.mean_effect_re != pytest.approx(theirs.mean_effect_fe, rel=1e-3)
    assert ours.tau2 == 0.0
    assert ours.se == pytest.approx(theirs.sd_eff_w_fe, rel=1e-12)
    assert ours.estimate == pytest.approx(theirs.mean_effect_fe, rel=1e-12)


@pytest.mark.parametrize("model", ["FE", "DL", "REML", "PM"])
def test_meta_pool_one_study_is_that_study(model: str) -> None:
    result = pool([0.3], [0.04], model)
    assert (result.k, result.estimate, result.tau2, result.q, result.i2) == (1, 0.3, 0.0, 0.0, 0.0)
    assert result.q_df == 0 and result.q_p is None
    assert result.se == pytest.approx(0.2)
    assert result.weights == (100.0,)


@pytest.mark.parametrize(
    "yi,vi,message",
    [
        ([], [], "nothing to pool"),
        ([0.1, 0.2], [0.1], "2 effects but 1 variances"),
        ([0.1, 0.2], [0.1, 0.0], "variance positive"),
        ([0.1, math.nan], [0.1, 0.1], "finite"),
    ],
)
def test_meta_pool_rejects_unusable_input(yi: list[float], vi: list[float], message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        pool(yi, vi)


@pytest.mark.parametrize("key", list(EFFECTS))
def test_meta_pool_random_interval_is_never_narrower_than_fixed(key: tuple[str, str]) -> None:
    fixed, random = pool(*EFFECTS[key], Method.FE), pool(*EFFECTS[key], Method.DL)
    assert random.tau2 >= 0
    assert random.ci_high - random.ci_low >= fixed.ci_high - fixed.ci_low


# -- whole tables: analyse() ------------------------------------------------------------------

CANNON_ROWS = [  # dat.cannon2006, end point 1; see the module docstring
    ("PROVE IT", 147, 2099, 172, 2063),
    ("A-TO-Z", 205, 2265, 235, 2232),
    ("TNT", 334, 4995, 418, 5006),
    ("IDEAL", 411, 4439, 463, 4449),
]


def _cannon_table(**extra: list[object]) -> pd.DataFrame:
    table = pd.DataFrame(
        CANNON_ROWS,
        columns=[
            "study",
            "intervention_events",
            "intervention_group_size",
            "comparator_events",
            "comparator_group_size",
        ],
    )
    table.insert(1, "outcome", "Coronary death or MI")
    return table.assign(**extra)


@pytest.mark.parametrize("model", ["FE", "DL"])
def test_meta_pool_analyse_a_table_matches_metafor(model: str) -> None:
    result = analyse(_cannon_table(), method=model).to_dict()
    expected = RMA["cannon", "RR", model, False]
    assert [result["estimate"], result["ci_low"], result["ci_high"]] == pytest.approx(
        expected["exp"], rel=1e-9
    )
    assert (result["measure"], result["method"], result["k"]) == ("RR", model, 4)
    assert [s["weight"] for s in result["studies"]] == pytest.approx(expected["weights"], rel=1e-9)
    assert [s["yi"] for s in result["studies"]] == pytest.approx(
        EFFECTS["cannon", "RR"][0], rel=1e-9
    )


def test_meta_pool_analyse_reads_a_filled_extraction_sheet() -> None:
    sheet = pd.DataFrame(
        {
            "id": ["t1", "t2", "t3"],
            "pmcid": ["PMC1", "PMC2", "PMC3"],
            "outcome": ["Length of stay"] * 3,
            "intervention": ["stroke unit"] * 3,
            "comparator": ["general ward"] * 3,
            "outcome_type": ["continuous"] * 3,
            "intervention_mean": [55, 27, 64],
            "intervention_standard_deviation": [47, 7, 17],
            "intervention_group_size": [155, 31, 75],
            "comparator_mean": [75, 29, 119],
            "comparator_standard_deviation": [64, 4, 29],
            "comparator_group_size": [156, 32, 71],
        }
    )
    result = analyse(sheet, measure="SMD")
    assert [s.study for s in result.studies] == ["PMC1", "PMC2", "PMC3"]
    assert [s.effect.yi for s in result.studies] == pytest.approx(
        [-0.35516964094010689, -0.34794002273909852, -2.3175691601637305], rel=1e-9
    )  # escalc("SMD", ...) on dat.normand1999 rows 1-3


@pytest.mark.parametrize(
    "columns,expected",
    [
        ({"study": ["A", "B"], "pmid": ["1", "2"]}, ["A", "B"]),
        ({"pmid": ["1", "2"], "id": ["x", "y"]}, ["1", "2"]),
        ({"pmid": [None, "2"], "pmcid": ["PMC9", "PMC8"]}, ["PMC9", "2"]),
        ({"id": ["20", "21"], "pmcid": ["PMC9", "PMC9"]}, ["PMC9", "PMC9"]),
        ({"pmid": [12345.0, 678.0]}, ["12345", "678"]),
        ({"pmid": ["1", "1"], "timepoint": ["week 12", "week 24"]}, ["1", "1"]),
        ({}, ["row 1", "row 2"]),
    ],
)
def test_meta_pool_rows_are_labelled_by_their_trial(
    columns: dict[str, list[object]], expected: list[str]
) -> None:
    table = pd.DataFrame({"x": [0, 0], **columns})
    assert [row.label for row in table_rows(table)] == expected


@pytest.mark.parametrize(
    "text,k", [("coronary", 4), ("CORONARY DEATH", 4), ("or MI", 4), ("stroke", 0)]
)
def test_meta_pool_outcome_filter_is_a_case_insensitive_substring(text: str, k: int) -> None:
    if k == 0:
        with pytest.raises(AnalysisError, match="no row has an outcome containing 'stroke'"):
            analyse(_cannon_table(), outcome=text)
    else:
        assert analyse(_cannon_table(), outcome=text).pooled.k == k


def test_meta_pool_outcome_filter_takes_text_literally() -> None:
    table = _cannon_table(outcome=["SRI-4 (week 12)", "SRI-4 (week 12)", "other", "SRI-4 [x]"])
    assert analyse(table, outcome="SRI-4 (week").pooled.k == 2


@pytest.mark.parametrize(
    "change,reason",
    [
        ({"comparator_group_size": [None, 2232, 5006, 4449]}, "missing comparator_group_size"),
        (
            {
                "intervention_events": [None, 205, 334, 411],
                "comparator_events": [None, 235, 418, 463],
            },
            "missing intervention_events, comparator_events",
        ),
        (
            {"intervention_events": ["12 (6%)", "205", "334", "411"]},
            "intervention_events is not a number: '12 (6%)'",
        ),
        (
            {"intervention_events": [3000, 205, 334, 411]},
            "impossible counts: 3000 events in a group of 2099",
        ),
    ],
)
def test_meta_pool_rows_without_usable_numbers_are_skipped_with_a_reason(
    change: dict[str, list[object]], reason: str
) -> None:
    result = analyse(_cannon_table(**change))
    assert result.pooled.k == 3
    assert [(s.study, s.reason) for s in result.skipped] == [("PROVE IT", reason)]
    assert result.to_dict()["skipped"] == [{"study": "PROVE IT", "reason": reason}]


def test_meta_pool_percentages_are_not_turned_into_counts() -> None:
    table = _cannon_table(intervention_events=[None] * 4, intervention_percent=[7.0, 9.1, 6.7, 9.3])
    with pytest.raises(AnalysisError, match="no usable rows for RR .*missing intervention_events"):
        analyse(table)


MIXED = pd.DataFrame(
    {
        "outcome": ["response", "pain score"],
        "outcome_type": ["binary", "continuous"],
        "intervention_events": [10, None],
        "intervention_group_size": [20, 30],
        "comparator_events": [5, None],
        "comparator_group_size": [20, 30],
        "intervention_mean": [None, 3.1],
        "intervention_standard_deviation": [None, 1.2],
        "comparator_mean": [None, 4.0],
        "comparator_standard_deviation": [None, 1.1],
    }
)


@pytest.mark.parametrize(
    "table,options,message",
    [
        (MIXED, {}, "the table mixes binary and continuous outcomes"),
        (MIXED, {"measure": "RR"}, "the table mixes binary and continuous outcomes"),
        (MIXED, {"outcome": "pain", "measure": "RR"}, "RR needs binary outcomes; these are"),
        (MIXED.iloc[:0], {}, "the table has no rows"),
        (
            pd.DataFrame({"outcome": ["x"], "intervention_group_size": [3]}),
            {},
            "cannot tell whether",
        ),
        (pd.DataFrame({"pmid": ["1"]}), {"outcome": "x"}, "no 'outcome' column"),
    ],
)
def test_meta_pool_tables_that_cannot_be_pooled_raise(
    table: pd.DataFrame, options: dict[str, str], message: str
) -> None:
    with pytest.raises(AnalysisError, match=message):
        analyse(table, **options)


@pytest.mark.parametrize(
    "outcome,measure,expected",
    [
        ("response", None, "RR"),
        ("pain", None, "MD"),
        ("pain", "SMD", "SMD"),
        ("response", "OR", "OR"),
    ],
)
def test_meta_pool_default_measure_follows_the_outcome_type(
    outcome: str, measure: str | None, expected: str
) -> None:
    assert analyse(MIXED, outcome=outcome, measure=measure).measure == expected


def test_meta_pool_outcome_type_is_inferred_when_not_stated() -> None:
    table = MIXED.drop(columns="outcome_type")
    assert outcome_types(table) == ["binary", "continuous"]
    assert outcome_types(table.assign(outcome_type=["dichotomous", "Continuous"])) == [
        "binary",
        "continuous",
    ]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".json"])
def test_meta_pool_read_table_formats(tmp_path: Path, suffix: str) -> None:
    table = _cannon_table(pmid=["00012", "00034", "56", "78"])
    path = tmp_path / f"table{suffix}"
    if suffix == ".json":  # what `extract --format json` prints
        path.write_text(
            json.dumps({"records": [], "arms": [], "comparisons": table.to_dict("records")})
        )
    elif suffix == ".jsonl":
        table.to_json(path, orient="records", lines=True)
    else:
        table.to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",")
    read = read_table(path)
    assert read["pmid"].tolist() == ["00012", "00034", "56", "78"]
    assert analyse(read).pooled.estimate == pytest.approx(
        RMA["cannon", "RR", "DL", False]["estimate"]
    )


@pytest.mark.parametrize("content", [None, "{not json", '{"arms": []}'])
def test_meta_pool_read_table_errors_are_input_errors(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "table.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match="cannot read the table"):
        read_table(path)


def test_meta_pool_summary_lists_studies_pooled_line_and_heterogeneity() -> None:
    text = format_summary(analyse(_cannon_table(), outcome="coronary", method="DL"))
    lines = text.splitlines()
    assert lines[0] == (
        "Random-effects (DerSimonian-Laird) meta-analysis of the risk ratio (RR), "
        "outcome matching 'coronary'"
    )
    assert "PROVE IT     0.840  [0.680, 1.038]         13.2%" in lines
    assert "Pooled       0.849  [0.786, 0.917]        100.0%" in lines
    assert lines[1] == "k = 4 trials"
    assert lines[-2] == (
        "Heterogeneity: tau\u00b2 = 0 [0, 0.02231]; I\u00b2 = 0.0%; Q = 1.24 (df = 3, p = 0.743)"
    )
    assert lines[-1] == "95% prediction interval: [0.786, 0.917]"
